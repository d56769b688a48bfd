package wagateway.contact;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestPath;

import io.smallrye.mutiny.Uni;
import wagateway.contact.api.ConsentRequest;
import wagateway.contact.api.ContactView;
import wagateway.support.CustomerIds;
import wagateway.web.ApiKeyFilter;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/**
 * {@code /v1/contacts/{id}}: consent (audit trail kept) and the contact's window (spec §2); {@code id} is a phone
 * (E.164), a business-scoped user id or the gateway's contact id ({@link CustomerIds}).
 */
@Path("/v1/contacts/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class ContactResource {

    private final ContactService contacts;

    ContactResource(ContactService contacts) {
        this.contacts = contacts;
    }

    /** Records explicit consent; answers with the contact as it is afterwards. */
    @PUT
    @Path("/consent")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<ContactView> putConsent(@RestPath String id, @NotNull @Valid ConsentRequest body,
            @Context ContainerRequestContext request) {
        requireCustomerId(id);
        return contacts.recordConsent(id, body, (String) request.getProperty(ApiKeyFilter.CALLER)).onItem().ifNull()
                .failWith(() -> ProblemException.notFound("No contact with this id"));
    }

    /** Consent state and history, last inbound time and window; 404 for a contact never seen. */
    @GET
    public Uni<ContactView> get(@RestPath String id) {
        requireCustomerId(id);
        return contacts.find(id).onItem().ifNull()
                .failWith(() -> ProblemException.notFound("No contact with this phone number or id"));
    }

    private static void requireCustomerId(String id) {
        if (!CustomerIds.isValid(id)) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                    List.of(new Problem.FieldError("id", "must be an E.164 number such as +5511987654321, a WhatsApp "
                            + "business-scoped user id, or a contact id (c_...)"))));
        }
    }
}
