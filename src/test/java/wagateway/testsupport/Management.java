package wagateway.testsupport;

import org.eclipse.microprofile.config.ConfigProvider;

/** URLs on the management interface of the application under test: health, metrics, the OpenAPI document. */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** @param path such as {@code /q/metrics} */
    public static String url(String path) {
        return "http://localhost:" + port() + path;
    }
}
