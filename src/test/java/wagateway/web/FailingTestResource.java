package wagateway.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Test-only endpoint with a bug in it, to see how an unexpected error is answered. */
@Path("/v1/test-support/boom")
public class FailingTestResource {

    @GET
    public String boom() {
        throw new IllegalStateException("secret internal detail at wagateway.Foo.bar(Foo.java:42)");
    }
}
