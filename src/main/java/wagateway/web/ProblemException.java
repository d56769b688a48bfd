package wagateway.web;

/** Thrown by services to answer with a specific problem; mapped 1:1 by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.getTitle() + ": " + problem.getDetail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Problem.of("not-found", "Not Found", 404, what));
    }

    public static ProblemException conflict(String slug, String detail) {
        return new ProblemException(Problem.of(slug, "Conflict", 409, detail));
    }

    public static ProblemException badRequest(String slug, String detail) {
        return new ProblemException(Problem.of(slug, "Bad Request", 400, detail));
    }
}
