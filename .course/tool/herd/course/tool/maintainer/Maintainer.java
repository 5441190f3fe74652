package herd.course.tool.maintainer;

import herd.course.LessonId;
import herd.course.tool.Args;
import herd.course.tool.CourseRoot;
import herd.course.tool.Main;
import java.util.List;

/** The maintainers' commands; this package is not part of the student edition. */
public final class Maintainer implements Main.Extension {
    @Override
    public boolean run(Args a, CourseRoot course) throws Exception {
        switch (a.command()) {
            case "generate" -> {
                boolean check = a.flag("--check");
                List<String> drift = Skeletons.generate(course.dir(), check);
                drift.forEach(System.out::println);
                if (check && !drift.isEmpty()) {
                    throw new Main.UsageError("lesson sources differ from solutions; regenerate them with: "
                            + "java .course/Course.java generate");
                }
                System.out.println(check ? "Lesson sources match solutions."
                        : "Wrote the lesson sources; " + drift.size() + " files had changed.");
                return true;
            }
            case "export" -> {
                String upTo = a.option("--reference-up-to", null);
                new Export(course).write(java.nio.file.Path.of(a.positional(0, "a target folder")),
                        a.flag("--with-reference"), upTo == null ? null : LessonId.parse(upTo));
                return true;
            }
            case "timings" -> {
                new LoopTimings(course).run(Integer.parseInt(a.option("--runs", "5")));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    public String usage() {
        return """

                Maintainers (this repository only; not in the student edition):
                  generate [--check]    writes each lesson's workbook from solutions (--check: only compares)
                  export DIR            writes the student edition, a git repository, without the reference
                                        [--with-reference] for self-study, [--reference-up-to N] the lessons before N
                  timings [--runs 5]    the learner's loop measured in a fresh edition: test, progress, watch
                """;
    }
}
