package wagateway.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyBudgetTest {

    @Test
    void largeBodiesShareTheBudgetAndSmallOnesAlwaysPass() {
        BodyBudget budget = new BodyBudget(1024 * 1024);
        assertThat(budget.take(1024 * 1024, 0)).isTrue();
        // a large body going over: refused, and what it asked for is not counted
        assertThat(budget.take(8192, 200 * 1024)).isFalse();
        assertThat(budget.held()).isEqualTo(1024 * 1024);
        // a small body passes even over the budget
        assertThat(budget.take(4096, 0)).isTrue();
        budget.giveBack(1024 * 1024 + 4096);
        assertThat(budget.take(8192, 200 * 1024)).isTrue();
    }
}
