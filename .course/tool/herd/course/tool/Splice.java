package herd.course.tool;

import herd.course.ExerciseId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes a learner's answers out of a submitted workbook file and puts them into the
 * instructor's copy of the same file: the text between each {@code // >>> L01-E2} and
 * {@code // <<< L01-E2} line, and nothing else. Regions are matched by exercise id and
 * order within the file. A region the submission lost, duplicated or mangled keeps the
 * instructor's stub (that exercise is not done); a region whose text could reach outside
 * the block it stands in (more closing than opening braces, an unclosed comment or
 * string, a Unicode escape) is refused the same way; any change outside the regions is
 * reported and has no effect.
 */
public final class Splice {
    private static final Pattern OPEN = Pattern.compile("^\\s*// >>> (" + ExerciseId.PATTERN + ")\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*// <<< (" + ExerciseId.PATTERN + ")\\s*$");

    private Splice() {
    }

    /** One region of a file: its exercise, its n-th occurrence of that exercise in the file, and its lines (0-based, markers excluded). */
    public record Region(ExerciseId id, int occurrence, int from, int to) {
        public String key() {
            return id + "#" + occurrence;
        }
    }

    /** The spliced text, and what was found wrong or ignored in the submission, one line each. */
    public record Result(String text, List<String> notes, List<ExerciseId> refused) {
    }

    /**
     * The regions of {@code lines}, in order; fails (IllegalArgumentException, with the
     * line) if a region is not closed, closed by another id, or opened inside another.
     */
    public static List<Region> regions(List<String> lines) {
        List<Region> out = new ArrayList<>();
        Map<ExerciseId, Integer> seen = new LinkedHashMap<>();
        ExerciseId open = null;
        int from = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher o = OPEN.matcher(lines.get(i));
            Matcher c = CLOSE.matcher(lines.get(i));
            if (o.matches()) {
                if (open != null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": region " + o.group(1) + " opens inside "
                            + open);
                }
                open = ExerciseId.parse(o.group(1));
                from = i + 1;
            } else if (c.matches()) {
                ExerciseId id = ExerciseId.parse(c.group(1));
                if (!id.equals(open)) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": '// <<< " + id + "' closes "
                            + (open == null ? "no region" : "region " + open));
                }
                int n = seen.merge(id, 1, Integer::sum);
                out.add(new Region(id, n, from, i));
                open = null;
            }
        }
        if (open != null) {
            throw new IllegalArgumentException("region " + open + " is never closed");
        }
        return out;
    }

    /**
     * The instructor's {@code trusted} file with each region's text taken from
     * {@code submitted} (null: the submission has no such file, every stub is kept).
     * {@code name} names the file in the notes.
     */
    public static Result splice(String name, String trusted, String submitted) {
        List<String> mine = List.of(trusted.split("\n", -1));
        List<Region> regions = regions(mine);
        List<String> notes = new ArrayList<>();
        List<ExerciseId> refused = new ArrayList<>();
        if (submitted == null) {
            if (!regions.isEmpty()) {
                notes.add(name + ": not in the submission; its exercises keep their stubs");
            }
            return new Result(trusted, notes, refused);
        }
        List<String> theirs = List.of(submitted.replace("\r\n", "\n").split("\n", -1));
        Map<String, Region> theirRegions = new LinkedHashMap<>();
        try {
            for (Region r : regions(theirs)) {
                theirRegions.put(r.key(), r);
            }
        } catch (IllegalArgumentException e) {
            // Take what can be matched: each well-formed region up to the first broken one.
            notes.add(name + ": the exercise regions are broken (" + e.getMessage() + "); the regions after that keep"
                    + " their stubs");
            theirRegions = prefixOfRegions(theirs);
        }
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (Region r : regions) {
            for (; next < r.from(); next++) {
                out.append(mine.get(next)).append('\n');
            }
            Region t = theirRegions.get(r.key());
            String problem = t == null ? "missing from the submitted file" : check(theirs.subList(t.from(), t.to()));
            if (problem == null) {
                for (String line : theirs.subList(t.from(), t.to())) {
                    out.append(line).append('\n');
                }
            } else {
                notes.add(name + ": " + r.id() + (r.occurrence() > 1 ? " (its region number " + r.occurrence() + ")" : "")
                        + " is graded as not done: its region is " + problem);
                refused.add(r.id());
                for (String line : mine.subList(r.from(), r.to())) {
                    out.append(line).append('\n');
                }
            }
            next = r.to();
        }
        for (; next < mine.size(); next++) {
            out.append(mine.get(next)).append(next + 1 < mine.size() ? "\n" : "");
        }
        for (String key : theirRegions.keySet()) {
            if (regions.stream().noneMatch(r -> r.key().equals(key))) {
                notes.add(name + ": a region " + key.replace("#", " (number ") + ") that the workbook does not have;"
                        + " ignored");
            }
        }
        if (!outside(mine, regions).equals(outside(theirs, new ArrayList<>(theirRegions.values())))) {
            notes.add(name + ": changed outside the exercise regions; those changes are ignored (only the code"
                    + " between '// >>>' and '// <<<' is graded)");
        }
        return new Result(out.toString(), notes, refused);
    }

    /** The well-formed regions before the first broken marker. */
    private static Map<String, Region> prefixOfRegions(List<String> lines) {
        Map<String, Region> out = new LinkedHashMap<>();
        for (int end = lines.size(); end > 0; end--) {
            try {
                for (Region r : regions(lines.subList(0, end))) {
                    out.put(r.key(), r);
                }
                return out;
            } catch (IllegalArgumentException e) {
                // try a shorter prefix
            }
        }
        return out;
    }

    /** The lines outside the regions, with each region reduced to its markers. */
    private static List<String> outside(List<String> lines, List<Region> regions) {
        List<String> out = new ArrayList<>();
        int next = 0;
        for (Region r : regions) {
            out.addAll(lines.subList(next, r.from()).stream().map(String::stripTrailing).toList());
            next = r.to();
        }
        out.addAll(lines.subList(Math.min(next, lines.size()), lines.size()).stream().map(String::stripTrailing).toList());
        while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /**
     * Why a region's text could reach outside the block it stands in, or null if it cannot:
     * it must close every brace, parenthesis and bracket it opens and no other, and end
     * outside any comment, string or character literal; Unicode escapes are refused (javac
     * reads them before anything else, so {@code \u000a} would end a line comment).
     */
    public static String check(List<String> lines) {
        String text = String.join("\n", lines) + "\n";
        if (Pattern.compile("\\\\u+[0-9a-fA-F]{4}").matcher(text).find()) {
            return "refused: it has a Unicode escape (\\uXXXX); write the character itself";
        }
        java.util.ArrayDeque<Character> open = new java.util.ArrayDeque<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                i = text.indexOf('\n', i);
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    return "refused: a comment opened in it is not closed in it";
                }
                i = end + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                while (end > 0 && text.charAt(end - 1) == '\\') {
                    end = text.indexOf("\"\"\"", end + 1);
                }
                if (end < 0) {
                    return "refused: a text block opened in it is not closed in it";
                }
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && text.charAt(j) != c && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                if (j >= n || text.charAt(j) != c) {
                    return "refused: a string or character literal in it is not closed on its line";
                }
                i = j + 1;
            } else {
                if (c == '{' || c == '(' || c == '[') {
                    open.push(c == '{' ? '}' : c == '(' ? ')' : ']');
                } else if (c == '}' || c == ')' || c == ']') {
                    if (open.isEmpty() || open.pop() != c) {
                        return "refused: it closes a brace or parenthesis it did not open (code outside the region"
                                + " cannot be changed from inside it)";
                    }
                }
                i++;
            }
        }
        return open.isEmpty() ? null : "refused: it leaves a brace or parenthesis open";
    }
}
