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
import wagateway.support.PhoneNumbers;
import wagateway.web.ApiKeyFilter;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/** {@code /v1/contacts/{phone}}: consent (audit trail kept) and the contact's window (spec §2). */
@Path("/v1/contacts/{phone}")
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
    public Uni<ContactView> putConsent(@RestPath String phone, @NotNull @Valid ConsentRequest body,
            @Context ContainerRequestContext request) {
        requireE164(phone);
        return contacts.recordConsent(phone, body, (String) request.getProperty(ApiKeyFilter.CALLER));
    }

    /** Consent state and history, last inbound time and window; 404 for a contact never seen. */
    @GET
    public Uni<ContactView> get(@RestPath String phone) {
        requireE164(phone);
        return contacts.find(phone).onItem().ifNull()
                .failWith(() -> ProblemException.notFound("No contact with this phone number"));
    }

    private static void requireE164(String phone) {
        if (!PhoneNumbers.isE164(phone)) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "The request has invalid fields",
                    List.of(new Problem.FieldError("phone", "must be an E.164 number such as +5511987654321"))));
        }
    }
}
