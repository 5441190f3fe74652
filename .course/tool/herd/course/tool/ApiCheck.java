package herd.course.tool;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePathScanner;
import herd.course.ExerciseId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * What exercise code may call. Compiles the graded workbook sources with the JDK's
 * compiler (attributed, nothing written) and looks at every name used between a
 * {@code // >>>} and a {@code // <<<} line: each type, method and field it refers to must
 * be on the allowlist below, the course's own model ({@code herd.*}, without the course
 * machinery, the demos and the real-kernel cross-check) and a small set of
 * {@code java.lang} and {@code java.util} types. Reflection, class loading,
 * instrumentation, {@code System}, {@code Runtime}, processes, files, the network and
 * threads outside the model are not on it. A region that does not compile is reported
 * too, so that the grader can put the exercise's stub back and grade the rest.
 */
public final class ApiCheck {
    private static final Set<String> JAVA_LANG = Set.of("Object", "String", "StringBuilder", "CharSequence", "Math",
            "StrictMath", "Integer", "Long", "Short", "Byte", "Character", "Boolean", "Double", "Float", "Number",
            "Enum", "Record", "Comparable", "Iterable", "AutoCloseable", "Runnable", "Void", "Throwable", "Exception",
            "RuntimeException", "Error", "AssertionError", "IllegalStateException", "IllegalArgumentException",
            "UnsupportedOperationException", "NullPointerException", "IndexOutOfBoundsException",
            "ArrayIndexOutOfBoundsException", "StringIndexOutOfBoundsException", "ArithmeticException",
            "ClassCastException", "NumberFormatException", "InterruptedException", "CloneNotSupportedException",
            "Override", "SuppressWarnings", "Deprecated", "FunctionalInterface", "SafeVarargs");
    private static final Set<String> JAVA_UTIL = Set.of("List", "ArrayList", "LinkedList", "Deque", "ArrayDeque",
            "Queue", "PriorityQueue", "Map", "HashMap", "LinkedHashMap", "TreeMap", "NavigableMap", "SortedMap",
            "Set", "HashSet", "LinkedHashSet", "TreeSet", "NavigableSet", "SortedSet", "EnumMap", "EnumSet",
            "Collection", "Collections", "Arrays", "Iterator", "ListIterator", "Objects", "Optional", "OptionalInt",
            "OptionalLong", "OptionalDouble", "Comparator", "BitSet", "Random", "StringJoiner",
            "NoSuchElementException", "ConcurrentModificationException", "AbstractMap", "AbstractList",
            "AbstractCollection", "AbstractSet", "AbstractQueue", "RandomAccess");
    private static final Set<String> JAVA_UTIL_CONCURRENT = Set.of("ConcurrentHashMap", "ConcurrentMap",
            "ConcurrentLinkedQueue", "ConcurrentLinkedDeque", "CopyOnWriteArrayList", "TimeUnit");
    private static final Set<String> ALLOWED_PACKAGES = Set.of("java.util.function", "java.util.stream",
            "java.util.concurrent.atomic");
    /** Members of allowed types that are not allowed: reflection's door, threads, sleeping, printing, properties. */
    private static final Set<String> DENIED_MEMBERS = Set.of("java.lang.Object.getClass", "java.lang.Object.wait",
            "java.lang.Object.notify", "java.lang.Object.notifyAll", "java.lang.Object.finalize",
            "java.lang.Throwable.printStackTrace", "java.lang.Throwable.setStackTrace",
            "java.util.concurrent.TimeUnit.sleep", "java.util.concurrent.TimeUnit.timedJoin",
            "java.util.concurrent.TimeUnit.timedWait", "java.lang.Integer.getInteger", "java.lang.Long.getLong",
            "java.lang.Boolean.getBoolean");
    /** Packages of the course that exercise code has no business with. */
    private static final List<String> DENIED_HERD = List.of("herd.course.", "herd.demo.", "herd.epoll.demo.",
            "herd.inet.demo.", "herd.nginx.demo.", "herd.fix.demo.", "herd.fix.crosscheck.");
    private static final Set<String> ALLOWED_HERD = Set.of("herd.course.Todo", "herd.course.Todo.NotDone");

    /** The one-line summary of the rule, for messages. */
    static final String RULE = "exercise code may use the course's herd.* classes and basic java.lang/java.util types"
            + " (collections, streams, atomics, Math, String...), not reflection, class loading, System, Runtime,"
            + " threads, processes, files or the network";

    private ApiCheck() {
    }

    /** Something wrong with one region: the file, the region, and what. */
    public record Finding(Path file, Splice.Region region, String message) {
        public ExerciseId exercise() {
            return region == null ? null : region.id();
        }
    }

    /** The findings of one check: forbidden uses, and compile errors (blamed on a region where one is to blame). */
    public record Report(List<Finding> forbidden, List<Finding> compileErrors) {
        public boolean clean() {
            return forbidden.isEmpty() && compileErrors.isEmpty();
        }
    }

    /**
     * Compiles {@code sources} (one module's) against {@code sourcePath} (the folders of
     * the modules before it) and {@code classPath} (the libraries), and checks every
     * region in {@code sources}; {@code names} gives each file's name for messages.
     */
    public static Report check(List<Path> sources, List<Path> sourcePath, List<Path> classPath,
                               Map<Path, String> names) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<Path, List<Splice.Region>> regions = new HashMap<>();
        for (Path p : sources) {
            try {
                regions.put(p.toAbsolutePath().normalize(), Splice.regions(Trees.read(p).lines().toList()));
            } catch (IllegalArgumentException e) {
                regions.put(p.toAbsolutePath().normalize(), List.of());
            }
        }
        List<Finding> forbidden = new ArrayList<>();
        List<Finding> errors = new ArrayList<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            String cp = String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList());
            String sp = String.join(java.io.File.pathSeparator, sourcePath.stream().map(Path::toString).toList());
            JavacTask task = (JavacTask) javac.getTask(null, files, diagnostics, List.of("-classpath", cp,
                    "-sourcepath", sp, "--release", "17", "-proc:none", "-nowarn", "-encoding", "UTF-8",
                    "-implicit:none"), null,
                    files.getJavaFileObjectsFromPaths(sources));
            Iterable<? extends CompilationUnitTree> units = task.parse();
            task.analyze();
            com.sun.source.util.Trees trees = com.sun.source.util.Trees.instance(task);
            for (CompilationUnitTree unit : units) {
                Path file = Path.of(unit.getSourceFile().toUri()).toAbsolutePath().normalize();
                List<Splice.Region> mine = regions.getOrDefault(file, List.of());
                if (!mine.isEmpty()) {
                    new Scanner(trees, unit, file, mine, names.getOrDefault(file, file.toString()), forbidden)
                            .scan(unit, null);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Path file = d.getSource() == null ? null : Path.of(d.getSource().toUri()).toAbsolutePath().normalize();
            Splice.Region blamed = file == null ? null : blame(regions.getOrDefault(file, List.of()),
                    (int) d.getLineNumber() - 1);
            String where = file == null ? "" : names.getOrDefault(file, file.toString()) + ":" + d.getLineNumber() + ": ";
            errors.add(new Finding(file, blamed, where + clip(d.getMessage(Locale.ROOT).strip().replaceAll("\\s*\\n\\s*", " "))));
        }
        return new Report(forbidden, errors);
    }

    private static String clip(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** The region a compile error on {@code line} (0-based) belongs to: the one it is in, or the last one before it. */
    private static Splice.Region blame(List<Splice.Region> regions, int line) {
        Splice.Region last = null;
        for (Splice.Region r : regions) {
            if (line >= r.from() - 1 && line <= r.to()) {
                return r;
            }
            if (r.to() < line) {
                last = r;
            }
        }
        return last;
    }

    /** Whether exercise code may use the type {@code name} (a top-level type's qualified name). */
    public static boolean allowedType(String name) {
        if (name.startsWith("herd.")) {
            return ALLOWED_HERD.contains(name) || DENIED_HERD.stream().noneMatch(name::startsWith);
        }
        int dot = name.lastIndexOf('.');
        String pkg = dot < 0 ? "" : name.substring(0, dot);
        String simple = name.substring(dot + 1);
        return pkg.equals("java.lang") && JAVA_LANG.contains(simple) || pkg.equals("java.util") && JAVA_UTIL.contains(
                simple) || pkg.equals("java.util.concurrent") && JAVA_UTIL_CONCURRENT.contains(simple)
                || ALLOWED_PACKAGES.contains(pkg);
    }

    /** The top-level type around {@code e} (for a nested type, its outermost class), or null. */
    private static TypeElement topLevel(Element e) {
        TypeElement top = null;
        for (Element x = e; x != null; x = x.getEnclosingElement()) {
            if (x instanceof TypeElement t) {
                top = t;
            }
        }
        return top;
    }

    private static final class Scanner extends TreePathScanner<Void, Void> {
        private final com.sun.source.util.Trees trees;
        private final CompilationUnitTree unit;
        private final Path file;
        private final List<Splice.Region> regions;
        private final String name;
        private final List<Finding> out;
        private final Set<String> reported = new LinkedHashSet<>();
        private final SourcePositions positions;
        private final LineMap lines;

        Scanner(com.sun.source.util.Trees trees, CompilationUnitTree unit, Path file, List<Splice.Region> regions,
                String name, List<Finding> out) {
            this.trees = trees;
            this.unit = unit;
            this.file = file;
            this.regions = regions;
            this.name = name;
            this.out = out;
            this.positions = trees.getSourcePositions();
            this.lines = unit.getLineMap();
        }

        @Override
        public Void visitIdentifier(IdentifierTree node, Void v) {
            check(node);
            return super.visitIdentifier(node, v);
        }

        @Override
        public Void visitMemberSelect(MemberSelectTree node, Void v) {
            check(node);
            return super.visitMemberSelect(node, v);
        }

        @Override
        public Void visitMemberReference(MemberReferenceTree node, Void v) {
            check(node);
            return super.visitMemberReference(node, v);
        }

        private void check(Tree node) {
            long start = positions.getStartPosition(unit, node);
            if (start < 0) {
                return;
            }
            int line = (int) lines.getLineNumber(start) - 1;
            Splice.Region region = regions.stream().filter(r -> line >= r.from() && line < r.to()).findFirst()
                    .orElse(null);
            if (region == null) {
                return;
            }
            Element e = trees.getElement(getCurrentPath());
            String denied = denied(e);
            if (denied != null && !(e instanceof TypeElement)) {
                // System.exit is named; "the type java.lang.System" on the same line would say it again.
                TypeElement top = topLevel(e);
                reported.add(region.key() + " the type " + (top == null ? "" : top.getQualifiedName()));
            }
            if (denied != null && reported.add(region.key() + " " + denied)) {
                out.add(new Finding(file, region, region.id() + " (" + name + ":" + (line + 1) + ") uses " + denied
                        + ", which exercise code may not use: " + RULE));
            }
        }

        /** What {@code e} is, if exercise code may not use it; null if it may. */
        private static String denied(Element e) {
            if (e == null || e.asType().getKind() == javax.lang.model.type.TypeKind.ERROR) {
                return null; // a name that does not resolve: a compile error, reported as such
            }
            ElementKind kind = e.getKind();
            if (kind == ElementKind.PACKAGE || kind == ElementKind.LOCAL_VARIABLE || kind == ElementKind.PARAMETER
                    || kind == ElementKind.EXCEPTION_PARAMETER || kind == ElementKind.RESOURCE_VARIABLE
                    || kind == ElementKind.TYPE_PARAMETER || kind.name().equals("BINDING_VARIABLE")) {
                return null;
            }
            TypeElement top = topLevel(e);
            if (top == null) {
                return null;
            }
            String type = top.getQualifiedName().toString();
            if (e instanceof TypeElement t) {
                String full = t.getQualifiedName().toString();
                return full.isEmpty() || allowedType(type) || allowedType(full) ? null : "the type " + full;
            }
            if (!(e.getEnclosingElement() instanceof TypeElement owner)) {
                return null;
            }
            String member = owner.getQualifiedName() + "." + e.getSimpleName();
            if (member.equals("Array.length") || member.equals("Array.clone")) {
                return null; // an array's length and clone()
            }
            if (!allowedType(type) && !ALLOWED_HERD.contains(owner.getQualifiedName().toString())) {
                return member;
            }
            return DENIED_MEMBERS.contains(member) ? member : null;
        }
    }
}
