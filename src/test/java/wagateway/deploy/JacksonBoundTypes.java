package wagateway.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Finds our classes that Jackson reads or writes by reflection, from the compiled classes:
 * <ul>
 * <li>bodies and answers of REST endpoints, REST clients and exception mappers (method signatures, with
 * the type arguments of {@code Uni}, {@code RestResponse}, {@code List} ...);</li>
 * <li>classes carrying a Jackson annotation;</li>
 * <li>class literals handed to {@code ObjectMapper.treeToValue / readValue / convertValue}, Vert.x
 * {@code JsonObject.mapTo} and the like (read from the bytecode);</li>
 * <li>and, transitively, the types of their record components, fields and getters, and the subclasses of
 * sealed ones.</li>
 * </ul>
 * Jackson in a native image sees only what is registered for reflection, so each of these must be.
 */
final class JacksonBoundTypes {

    /** Parameters that are not the request body. */
    private static final Set<String> NON_BODY_PARAMETER_ANNOTATIONS = Set.of("jakarta.ws.rs.PathParam",
            "jakarta.ws.rs.QueryParam", "jakarta.ws.rs.HeaderParam", "jakarta.ws.rs.CookieParam", "jakarta.ws.rs.FormParam",
            "jakarta.ws.rs.MatrixParam", "jakarta.ws.rs.BeanParam", "jakarta.ws.rs.core.Context",
            "org.jboss.resteasy.reactive.RestPath", "org.jboss.resteasy.reactive.RestQuery",
            "org.jboss.resteasy.reactive.RestHeader", "org.jboss.resteasy.reactive.RestCookie",
            "org.jboss.resteasy.reactive.RestForm", "org.jboss.resteasy.reactive.RestMatrix");
    private static final Set<String> HTTP_METHODS = Set.of("jakarta.ws.rs.GET", "jakarta.ws.rs.POST", "jakarta.ws.rs.PUT",
            "jakarta.ws.rs.DELETE", "jakarta.ws.rs.PATCH", "jakarta.ws.rs.HEAD", "jakarta.ws.rs.OPTIONS");
    private static final Set<String> MAPPER_ANNOTATIONS = Set.of(
            "org.jboss.resteasy.reactive.server.ServerExceptionMapper");
    /** Calls that turn JSON into an instance of a class given as a literal (owner/name). */
    private static final Set<String> BINDING_CALLS = Set.of(
            "com/fasterxml/jackson/databind/ObjectMapper.treeToValue", "com/fasterxml/jackson/databind/ObjectMapper.readValue",
            "com/fasterxml/jackson/databind/ObjectMapper.convertValue", "com/fasterxml/jackson/databind/ObjectMapper.readerFor",
            "com/fasterxml/jackson/databind/ObjectMapper.writerFor", "com/fasterxml/jackson/databind/ObjectReader.forType",
            "io/vertx/core/json/JsonObject.mapTo", "io/vertx/core/json/Json.decodeValue",
            "io/vertx/mutiny/core/buffer/Buffer.toJsonObject");

    private final Path classes;
    private final String rootPackage;
    private final ClassLoader loader;

    /**
     * @param classes a compiled-classes directory ({@code target/classes})
     * @param rootPackage only classes in this package (and below) are ours
     */
    JacksonBoundTypes(Path classes, String rootPackage) {
        this.classes = classes;
        this.rootPackage = rootPackage;
        this.loader = Thread.currentThread().getContextClassLoader();
    }

    static JacksonBoundTypes ofMainClasses() {
        return new JacksonBoundTypes(Path.of("target/classes"), "wagateway");
    }

    /** @return the binary names of our classes in the directory */
    List<String> classNames() {
        Path root = classes.resolve(rootPackage.replace('.', '/'));
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> classes.relativize(p).toString().replace('/', '.').replace(".class", ""))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Class<?> load(String name) {
        try {
            return Class.forName(name, false, loader); // never run static initialisers here
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return our classes that Jackson binds, sorted by name */
    Set<Class<?>> find() {
        Set<Class<?>> seeds = new LinkedHashSet<>();
        for (String name : classNames()) {
            Class<?> type = load(name);
            if (hasJacksonAnnotation(type)) {
                seeds.add(type);
            }
            for (Method method : type.getDeclaredMethods()) {
                if (annotated(method, HTTP_METHODS)) {
                    addOurs(method.getGenericReturnType(), seeds);
                    for (Parameter parameter : method.getParameters()) {
                        if (!annotated(parameter, NON_BODY_PARAMETER_ANNOTATIONS)) {
                            addOurs(parameter.getParameterizedType(), seeds);
                        }
                    }
                } else if (annotated(method, MAPPER_ANNOTATIONS)) {
                    addOurs(method.getGenericReturnType(), seeds);
                }
            }
            for (String literal : classLiteralsBoundByJson(name)) {
                if (literal.startsWith(rootPackage + ".")) {
                    seeds.add(load(literal));
                }
            }
        }
        return closure(seeds);
    }

    private Set<Class<?>> closure(Set<Class<?>> seeds) {
        Set<Class<?>> found = new TreeSet<>(java.util.Comparator.comparing(Class::getName));
        Deque<Class<?>> todo = new ArrayDeque<>(seeds);
        while (!todo.isEmpty()) {
            Class<?> type = todo.pop();
            if (!isOurs(type) || !found.add(type)) {
                continue;
            }
            Set<Class<?>> next = new HashSet<>();
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    addOurs(component.getGenericType(), next);
                }
            } else if (!type.isEnum() && !type.isInterface()) {
                for (Field field : type.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers())) {
                        addOurs(field.getGenericType(), next);
                    }
                }
                for (Method method : type.getMethods()) {
                    if (method.getParameterCount() == 0 && method.getName().startsWith("get")
                            && !Modifier.isStatic(method.getModifiers())) {
                        addOurs(method.getGenericReturnType(), next);
                    }
                }
            }
            if (type.isSealed()) {
                next.addAll(List.of(type.getPermittedSubclasses()));
            }
            todo.addAll(next);
        }
        return found;
    }

    private boolean isOurs(Class<?> type) {
        return type.getName().startsWith(rootPackage + ".");
    }

    private void addOurs(Type type, Set<Class<?>> out) {
        if (type instanceof Class<?> c) {
            Class<?> element = c.isArray() ? c.getComponentType() : c;
            if (isOurs(element)) {
                out.add(element);
            }
        } else if (type instanceof ParameterizedType p) {
            addOurs(p.getRawType(), out);
            for (Type argument : p.getActualTypeArguments()) {
                addOurs(argument, out);
            }
        } else if (type instanceof GenericArrayType g) {
            addOurs(g.getGenericComponentType(), out);
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                addOurs(bound, out);
            }
        }
    }

    private static boolean annotated(AnnotatedElement element, Set<String> annotationNames) {
        for (Annotation annotation : element.getAnnotations()) {
            if (annotationNames.contains(annotation.annotationType().getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJackson(Annotation annotation) {
        return annotation.annotationType().getName().startsWith("com.fasterxml.jackson.");
    }

    private static boolean hasJacksonAnnotation(Class<?> type) {
        List<AnnotatedElement> elements = new ArrayList<>();
        elements.add(type);
        elements.addAll(List.of(type.getDeclaredFields()));
        elements.addAll(List.of(type.getDeclaredMethods()));
        elements.addAll(List.of(type.getDeclaredConstructors()));
        if (type.isRecord()) {
            elements.addAll(List.of(type.getRecordComponents()));
        }
        for (AnnotatedElement element : elements) {
            for (Annotation annotation : element.getAnnotations()) {
                if (isJackson(annotation)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Class literals ({@code Foo.class}) used in methods of {@code className} that bind JSON to a class. */
    private Set<String> classLiteralsBoundByJson(String className) {
        Set<String> literals = new HashSet<>();
        try (InputStream in = Files.newInputStream(classes.resolve(className.replace('.', '/') + ".class"))) {
            new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        private final Set<String> methodLiterals = new HashSet<>();
                        private boolean binds;

                        @Override
                        public void visitLdcInsn(Object value) {
                            if (value instanceof org.objectweb.asm.Type t && t.getSort() == org.objectweb.asm.Type.OBJECT) {
                                methodLiterals.add(t.getClassName());
                            }
                        }

                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                            if (BINDING_CALLS.contains(owner + "." + method)) {
                                binds = true;
                            }
                        }

                        @Override
                        public void visitEnd() {
                            if (binds) {
                                literals.addAll(methodLiterals);
                            }
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return literals;
    }
}
