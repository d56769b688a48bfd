package wagateway.architecture;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each table has one owner: only classes of its package write its rows (docs/architecture.md "Who owns which
 * table"). Every SQL string compiled into the production classes is read from the class files' constant pools
 * (where {@code "a" + "b"} constants and text blocks end up whole) and each write — {@code insert into},
 * {@code update}, {@code delete from}, {@code merge into}, aliases and CTEs included — is checked against the
 * owner map. A write to a table without an owner fails too, so a new table needs one.
 */
class TableOwnershipTest {

    static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("outbound_message", "wagateway.message"),
            Map.entry("message_event", "wagateway.message"),
            Map.entry("orphan_status", "wagateway.message"),
            Map.entry("inbound_message", "wagateway.inbound"),
            Map.entry("contact", "wagateway.contact"),
            Map.entry("contact_window", "wagateway.contact"),
            Map.entry("consent_event", "wagateway.contact"),
            Map.entry("event_outbox", "wagateway.event"),
            Map.entry("webhook_inbox", "wagateway.webhook"),
            Map.entry("webhook_digest", "wagateway.webhook"),
            Map.entry("sender_state", "wagateway.throttle"),
            Map.entry("pair_pacing", "wagateway.throttle"),
            Map.entry("recipient_reach", "wagateway.throttle"),
            Map.entry("media_upload", "wagateway.media"),
            Map.entry("message_template", "wagateway.template"),
            Map.entry("template_catalog", "wagateway.template"));

    /**
     * A write and its table. {@code update} after {@code for}, {@code key} ({@code for no key update}) or
     * {@code do} ({@code on conflict do update}) locks or upserts the statement's own table: not a write
     * elsewhere.
     */
    static final Pattern WRITE = Pattern.compile(
            "(?<!\\bfor |\\bkey |\\bdo )\\b(insert into|merge into|delete from|update)\\s+(?:only\\s+)?\"?([a-z_][a-z0-9_]*)\"?",
            Pattern.CASE_INSENSITIVE);

    /** Words that follow {@code update} in prose or in SQL without naming a table. */
    static final Pattern NOT_A_TABLE = Pattern.compile("set|the|a|an|of|it|its|to|on|skip|nowait", Pattern.CASE_INSENSITIVE);

    record Write(String table, String sql) {
    }

    static List<Write> writes(String text) {
        String sql = text.replaceAll("\\s+", " ");
        List<Write> out = new ArrayList<>();
        Matcher m = WRITE.matcher(sql);
        while (m.find()) {
            String table = m.group(2).toLowerCase();
            if (!NOT_A_TABLE.matcher(table).matches() && looksLikeSql(sql)) {
                out.add(new Write(table, sql));
            }
        }
        return out;
    }

    /** Log lines and Javadoc say "update" too: only strings that read as SQL count. */
    static boolean looksLikeSql(String s) {
        String lower = s.toLowerCase();
        return lower.contains(" set ") || lower.contains(" values") || lower.contains(" select ")
                || lower.startsWith("delete from") || lower.contains(" delete from ") || lower.contains(" where ");
    }

    @Test
    void theScannerSeesAliasedAndCteWrites() {
        assertThat(writes("update outbound_message m set status = 'x' where id = $1")).extracting(Write::table)
                .containsExactly("outbound_message");
        assertThat(writes("with due as (select id from inbound_message for update skip locked) "
                + "update inbound_message m set read_state = 'x' from due")).extracting(Write::table)
                .containsExactly("inbound_message");
        assertThat(writes("insert into contact as c (phone) values ($1) on conflict (phone) do update set phone = $1"))
                .extracting(Write::table).containsExactly("contact");
        assertThat(writes("DELETE FROM orphan_status WHERE wamid = $1")).extracting(Write::table)
                .containsExactly("orphan_status");
        assertThat(writes("select 1 from contact where phone = $1 for update")).isEmpty();
        assertThat(writes("select id from outbound_message where id = $1 for no key update")).isEmpty();
    }

    @Test
    void everyTableIsWrittenOnlyByItsOwner() throws IOException {
        Path classes = Path.of("target", "classes");
        List<String> breaches = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("wagateway"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String className = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
                String pkg = className.substring(0, className.lastIndexOf('.'));
                for (String constant : utf8Constants(file)) {
                    for (Write write : writes(constant)) {
                        seen.add(write.table());
                        String owner = OWNERS.get(write.table());
                        if (owner == null) {
                            breaches.add(className + " writes " + write.table() + ", which has no owner: " + write.sql());
                        } else if (!owner.equals(pkg)) {
                            breaches.add(className + " writes " + write.table() + " (owned by " + owner + "): "
                                    + write.sql());
                        }
                    }
                }
            }
        }
        assertThat(breaches).isEmpty();
        // the scan found the writes it should, so an empty list above means something
        assertThat(seen).contains("outbound_message", "message_event", "inbound_message", "contact", "event_outbox");
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS §4.4): string literals, names and signatures. */
    static List<String> utf8Constants(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            data.readInt(); // magic
            data.readUnsignedShort(); // minor
            data.readUnsignedShort(); // major
            int count = data.readUnsignedShort();
            List<String> out = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(data.readUTF());
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 -> {
                        data.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    default -> throw new IOException("Unknown constant tag " + tag + " in " + classFile);
                }
            }
            return out;
        }
    }
}
