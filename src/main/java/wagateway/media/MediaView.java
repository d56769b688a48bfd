package wagateway.media;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What {@code POST /v1/media} answers: the id to use in a message ({@code "image": {"id": ...}}). */
@RegisterForReflection
public record MediaView(
        @Schema(description = "The Cloud API's media id", example = "1234567890123456") String id,
        @Schema(description = "Sender whose phone number owns the media; only it can send it") String from,
        @Schema(example = "application/pdf") String mimeType,
        @Schema(description = "Bytes") long size,
        @Schema(description = "Base64 SHA-256 of the file") String sha256,
        String filename,
        @Schema(description = "When the Cloud API forgets the id (30 days after upload)") String expiresAt) {
}
