package wagateway.media;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;

/**
 * Where a media id comes from: the {@code media_upload} table for what we uploaded, the customer's inbound
 * message for what they sent (found by the V5 expression index on {@code content -> type ->> 'id'}). Plain
 * reactive-pool queries, each its own short statement: no session spans a Cloud API call.
 */
@ApplicationScoped
public class MediaCatalog {

    private static final String UPLOADED = """
            select id, sender, phone_number_id, mime_type, sha256, filename, size_bytes, expires_at, deleted_at
            from media_upload where id = $1""";

    // The predicate repeats the partial index's, so the planner can use inbound_message_media_id.
    private static final String INBOUND = """
            select sender, phone_number_id, (content -> type) ->> 'mime_type' as mime_type,
                   (content -> type) ->> 'sha256' as sha256, (content -> type) ->> 'filename' as filename, sent_at
            from inbound_message
            where type in ('image', 'video', 'audio', 'document', 'sticker') and (content -> type) ->> 'id' = $1
            order by sent_at desc limit 1""";

    private final Pool pool;
    private final GatewayConfig config;

    MediaCatalog(Pool pool, GatewayConfig config) {
        this.pool = pool;
        this.config = config;
    }

    Uni<Optional<StoredMedia>> find(String mediaId) {
        return pool.preparedQuery(UPLOADED).execute(Tuple.of(mediaId)).chain(rows -> {
            if (rows.size() > 0) {
                return Uni.createFrom().item(Optional.of(uploaded(rows.iterator().next())));
            }
            return pool.preparedQuery(INBOUND).execute(Tuple.of(mediaId)).map(inbound -> inbound(mediaId, inbound));
        });
    }

    Uni<Void> recordUpload(StoredMedia media, Instant createdAt) {
        return pool.preparedQuery("""
                insert into media_upload (id, sender, phone_number_id, mime_type, size_bytes, sha256, filename, created_at,
                    expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                on conflict (id) do nothing""")
                .execute(Tuple.tuple().addString(media.id()).addString(media.sender()).addString(media.phoneNumberId())
                        .addString(media.mimeType()).addLong(media.sizeBytes()).addString(media.sha256())
                        .addString(media.filename()).addOffsetDateTime(createdAt.atOffset(ZoneOffset.UTC))
                        .addOffsetDateTime(media.expiresAt().atOffset(ZoneOffset.UTC)))
                .replaceWithVoid();
    }

    Uni<Void> markDeleted(String mediaId, Instant at) {
        return pool.preparedQuery("update media_upload set deleted_at = $2 where id = $1 and deleted_at is null")
                .execute(Tuple.of(mediaId, at.atOffset(ZoneOffset.UTC))).replaceWithVoid();
    }

    private static StoredMedia uploaded(Row row) {
        return new StoredMedia(row.getString("id"), StoredMedia.Origin.UPLOADED, row.getString("sender"),
                row.getString("phone_number_id"), row.getString("mime_type"), row.getString("sha256"),
                row.getString("filename"), row.getLong("size_bytes"), row.getOffsetDateTime("expires_at").toInstant(),
                row.getOffsetDateTime("deleted_at") == null ? null : row.getOffsetDateTime("deleted_at").toInstant());
    }

    private Optional<StoredMedia> inbound(String mediaId, RowSet<Row> rows) {
        if (rows.size() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        String phoneNumberId = row.getString("phone_number_id");
        String sender = row.getString("sender");
        if (sender == null) {
            sender = config.senders().entrySet().stream().filter(e -> e.getValue().phoneNumberId().equals(phoneNumberId))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
        }
        Instant sentAt = row.getOffsetDateTime("sent_at").toInstant();
        return Optional.of(new StoredMedia(mediaId, StoredMedia.Origin.INBOUND, sender, phoneNumberId,
                row.getString("mime_type"), row.getString("sha256"), row.getString("filename"), null,
                sentAt.plus(config.media().inboundRetention()), null));
    }
}
