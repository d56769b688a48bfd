package wagateway.deploy.resourcefixture;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;

/**
 * Reads that {@code ResourceReads} must recognise: the native-resources check is tested on these, so that its check
 * on the main code cannot pass by finding nothing.
 */
public final class ResourceReadingFixture {

    private static final String MIGRATION = "db/migration/V1__schema.sql";

    private ResourceReadingFixture() {
    }

    /** A constant path through a class loader (a static final String: javac inlines it). */
    static InputStream migration() {
        return ResourceReadingFixture.class.getClassLoader().getResourceAsStream(MIGRATION);
    }

    /** A constant head and a computed tail. */
    static InputStream template(String name) {
        return Thread.currentThread().getContextClassLoader().getResourceAsStream("mail-templates/" + name + ".html");
    }

    /** Class.getResource: absolute, then relative to this package. */
    static URL absoluteAndRelative() {
        URL absolute = ResourceReadingFixture.class.getResource("/META-INF/wagateway-banner.txt");
        return absolute != null ? absolute : ResourceReadingFixture.class.getResource("defaults.properties");
    }

    /** A path from elsewhere: nothing constant to check. */
    static InputStream computed(String path) throws IOException {
        return ClassLoader.getSystemClassLoader().getResourceAsStream(path.strip());
    }
}
