package wagateway.architecture;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package map of docs/architecture.md, kept true by the build: no dependency cycle between the features
 * (a sub-package such as {@code contact.api} counts as its feature), the foundation packages use no feature,
 * nothing depends on the simulator, and a feature's sub-packages other than its published ones stay its own.
 */
class PackageDependenciesTest {

    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("wagateway");

    @Test
    void noCycleBetweenFeatures() {
        slices().matching("wagateway.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void noCycleBetweenPackages() {
        slices().matching("wagateway.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theFoundationUsesNoFeature() {
        noClasses().that().resideInAnyPackage("wagateway.support..", "wagateway.wakeup..", "wagateway.config..",
                "wagateway.operations..", "wagateway.schema..")
                .should().dependOnClassesThat().resideInAnyPackage("wagateway.cloudapi..", "wagateway.contact..",
                        "wagateway.conversation..", "wagateway.dispatch..", "wagateway.event..",
                        "wagateway.inbound..", "wagateway.media..", "wagateway.message..", "wagateway.policy..",
                        "wagateway.receipt..", "wagateway.sandbox..", "wagateway.throttle..", "wagateway.webhook..")
                .check(MAIN);
    }

    @Test
    void nothingDependsOnTheSimulator() {
        noClasses().that().resideOutsideOfPackage("wagateway.sandbox..").should().dependOnClassesThat()
                .resideInAPackage("wagateway.sandbox..").check(MAIN);
    }

    @Test
    void theSimulatorsConsoleIsTheSimulatorsOwn() {
        noClasses().that().resideOutsideOfPackage("wagateway.sandbox..").should().dependOnClassesThat()
                .resideInAPackage("wagateway.sandbox.console..").check(MAIN);
    }

    @Test
    void theDispatcherIsDrivenOnlyThroughTheWakeUpSignal() {
        // accept, webhooks and read requests wake the dispatcher through wakeup.QueueSignal, never by calling it
        noClasses().that().resideOutsideOfPackage("wagateway.dispatch..").should().dependOnClassesThat()
                .resideInAPackage("wagateway.dispatch..").check(MAIN);
    }
}
