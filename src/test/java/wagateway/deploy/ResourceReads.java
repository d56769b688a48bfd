package wagateway.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Classpath resources our compiled classes read, found in the bytecode: every call to {@code getResource},
 * {@code getResourceAsStream} or {@code getResources} on a {@code ClassLoader}, a {@code Class} or a {@code Module},
 * with the path it is handed when that path is a constant ({@code "db/seed.sql"}) or a concatenation with a constant
 * part ({@code "sandbox-console/" + name}, read as the glob {@code sandbox-console/**}). A path computed some other
 * way is reported as {@code null}: nothing could then tell which files the read needs.
 */
final class ResourceReads {

    private static final Set<String> OWNERS = Set.of("java/lang/ClassLoader", "java/lang/Class", "java/lang/Module");
    private static final Set<String> METHODS = Set.of("getResource", "getResourceAsStream", "getResources",
            "getSystemResource", "getSystemResourceAsStream", "getSystemResources");

    /**
     * One read.
     *
     * @param site {@code Class.method} that reads
     * @param glob the classpath path it reads, {@code **} where the path is computed; null when none is a constant
     */
    record Read(String site, String glob) {
    }

    private ResourceReads() {
    }

    /** The reads in the classes under {@code classes} whose names start with {@code packagePrefix}. */
    static List<Read> find(Path classes, String packagePrefix) {
        Path root = classes.resolve(packagePrefix.replace('.', '/'));
        List<Read> reads = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    new ClassReader(in).accept(new Scanner(reads), ClassReader.SKIP_FRAMES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return reads;
    }

    /** Turns a concatenation recipe ({@code \u0001} per argument, {@code \u0002} per constant) into a glob. */
    static String glob(String recipe, Object[] constants) {
        StringBuilder glob = new StringBuilder();
        int constant = 0;
        for (char c : recipe.toCharArray()) {
            if (c == '\u0001') {
                if (!glob.toString().endsWith("**")) {
                    glob.append("**");
                }
            } else if (c == '\u0002') {
                glob.append(constants[constant++]);
            } else {
                glob.append(c);
            }
        }
        return glob.toString();
    }

    private static final class Scanner extends ClassVisitor {

        private final List<Read> reads;
        private String className;
        private String packagePath;

        Scanner(List<Read> reads) {
            super(Opcodes.ASM9);
            this.reads = reads;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            className = name.replace('/', '.');
            packagePath = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            String site = className + "." + name;
            return new MethodVisitor(Opcodes.ASM9) {
                /** The path the last instruction pushed, if it pushed a constant one; null otherwise. */
                private String path;

                @Override
                public void visitLdcInsn(Object value) {
                    path = value instanceof String s ? s : null;
                }

                @Override
                public void visitInvokeDynamicInsn(String n, String d, Handle bootstrap, Object... arguments) {
                    path = "makeConcatWithConstants".equals(n) && arguments.length > 0 && arguments[0] instanceof String recipe
                            ? glob(recipe, Arrays.copyOfRange(arguments, 1, arguments.length))
                            : null;
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String n, String d, boolean isInterface) {
                    if (OWNERS.contains(owner) && METHODS.contains(n) && d.startsWith("(Ljava/lang/String;)")) {
                        reads.add(new Read(site, resolve(owner, path)));
                    }
                    path = null;
                }

                private String resolve(String owner, String p) {
                    if (p == null || p.isEmpty() || p.startsWith("**")) {
                        return null; // nothing constant to go by
                    }
                    if (owner.equals("java/lang/ClassLoader")) {
                        return p;
                    }
                    // Class and Module: a leading '/' is the classpath root; Class resolves other paths from its package
                    return p.startsWith("/") ? p.substring(1) : owner.equals("java/lang/Class") ? packagePath + p : p;
                }

                @Override
                public void visitInsn(int opcode) {
                    path = null;
                }

                @Override
                public void visitIntInsn(int opcode, int operand) {
                    path = null;
                }

                @Override
                public void visitVarInsn(int opcode, int varIndex) {
                    path = null;
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    path = null;
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String n, String d) {
                    path = null;
                }

                @Override
                public void visitJumpInsn(int opcode, Label label) {
                    path = null;
                }

                @Override
                public void visitIincInsn(int varIndex, int increment) {
                    path = null;
                }

                @Override
                public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
                    path = null;
                }

                @Override
                public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
                    path = null;
                }

                @Override
                public void visitMultiANewArrayInsn(String d, int numDimensions) {
                    path = null;
                }
            };
        }
    }
}
