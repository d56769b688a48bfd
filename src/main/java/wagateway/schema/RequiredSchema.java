package wagateway.schema;

/**
 * The schema version this build needs: the highest {@code V<n>__*.sql} in {@code db/migration}. A constant, known
 * when the jar is built, so a start checks the database against it in one query and reads no migration file.
 * RequiredSchemaVersionTest compares it with the migrations in the sources: a migration added without raising it
 * fails the build.
 */
public final class RequiredSchema {

    public static final int VERSION = 17;

    /**
     * The highest version Flyway applied successfully. Flyway keeps versions as text ("9" sorts after "14"), so it
     * is compared as a number; our versions are whole numbers ({@code V14__…}).
     */
    static final String APPLIED_VERSION = "select max(cast(split_part(version, '.', 1) as integer)) "
            + "from flyway_schema_history where success and version is not null";

    private RequiredSchema() {
    }

    /** @return the line that says why a schema cannot be served, or null when it can */
    static String refusal(int applied) {
        if (applied >= VERSION) {
            return null;
        }
        String found = applied == 0 ? "has no gateway schema" : "is at schema version " + applied;
        return "Schema: the database " + found + ", this build needs version " + VERSION
                + "; run the migration first (the jar with gateway.migrate-and-exit=true, as the migration Job does) "
                + "or start with quarkus.flyway.migrate-at-start=true";
    }
}
