package herd.course.tool;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code demo [lessonNN | Class] [args]}: a lesson's demo (or another main class of the
 * course, such as {@code HerdTable}, {@code Comparison}, {@code CrossCheck}) on the
 * learner's code, with {@code --reference} on the reference (maintainers' repository or
 * an edition that has it). A demo needs every exercise of its lesson and the lessons
 * before it; it names the first one not written yet instead of stopping half-way.
 */
final class Demo {
    private static final Pattern STUB = Pattern.compile("Todo\\.exercise\\(\"(" + ExerciseId.PATTERN + ")\"");

    private final CourseRoot course;
    private final Build build;

    Demo(CourseRoot course, Build build) {
        this.course = course;
        this.build = build;
    }

    int run(String what, boolean reference, List<String> args) throws Throwable {
        Catalogue.Lesson lesson = null;
        String mainClass;
        if (what == null || what.startsWith("lesson") || what.matches("\\d+")) {
            lesson = what == null ? course.lessons().get(0) : Runner.lessonOf(what);
            mainClass = lesson.demo();
        } else {
            mainClass = what;
        }
        Build.Errors errors = reference ? build.compileReference() : build.compile(course.lessons()
                .get(course.lessons().size() - 1).id());
        if (errors.any()) {
            System.out.println("The code does not compile:");
            errors.messages().stream().limit(10).forEach(m -> System.out.println("  " + m));
            return 1;
        }
        List<Path> classPath = reference ? build.referenceClassPath() : build.classPath(last());
        String className = find(classPath, mainClass).orElseThrow(() -> new Main.UsageError("no demo " + mainClass
                + "; the demos are each lesson's (demo lesson01 ... demo lesson05), HerdTable, Comparison, CrossCheck"));
        if (lesson == null) {
            lesson = lessonOfClass(className);
        }
        if (!reference) {
            Optional<ExerciseId> unwritten = firstUnwritten(lesson);
            if (unwritten.isPresent()) {
                ExerciseId id = unwritten.get();
                String lessons = lesson.id().number() == 1 ? "lesson 1" : "lessons 1 to " + lesson.id().number();
                System.out.println("This demo runs your code of " + lessons + ", and " + id + " is not written yet."
                        + "\nThe first exercise to do is " + id + " · " + id.title().replace("`", "")
                        + ".\n  read " + id.readme() + "\n  test java .course/Course.java test " + id);
                return 1;
            }
        }
        try (var loader = build.loader(classPath)) {
            Thread.currentThread().setContextClassLoader(loader);
            loader.loadClass(className).getMethod("main", String[].class).invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        return 0;
    }

    private herd.course.LessonId last() {
        return course.lessons().get(course.lessons().size() - 1).id();
    }

    /** The first exercise of {@code lesson} or a lesson before it whose stub is still in the learner's sources. */
    Optional<ExerciseId> firstUnwritten(Catalogue.Lesson lesson) {
        TreeSet<ExerciseId> stubs = new TreeSet<>();
        for (Catalogue.Lesson l : course.lessons()) {
            for (Path file : Trees.files(course.dir().resolve(l.module()).resolve("src/main/java"), ".java")) {
                Matcher m = STUB.matcher(Trees.read(file));
                while (m.find()) {
                    ExerciseId id = ExerciseId.parse(m.group(1));
                    if (id.lesson().compareTo(lesson.id()) <= 0) {
                        stubs.add(id);
                    }
                }
            }
        }
        return stubs.stream().findFirst();
    }

    private Catalogue.Lesson lessonOfClass(String className) {
        String pkg = className.split("\\.")[1];
        return Catalogue.lessonOfPackage(pkg);
    }

    /** The class named {@code name} (simple or full) in the class folders. */
    private static Optional<String> find(List<Path> classPath, String name) {
        for (Path dir : classPath) {
            for (Path file : Trees.files(dir, ".class")) {
                String className = dir.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (!className.contains("$") && (className.equals(name) || className.endsWith("." + name))
                        && Files.isRegularFile(file)) {
                    return Optional.of(className);
                }
            }
        }
        return Optional.empty();
    }
}
