package herd.trace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The spellings of flag masks that strace prints, each built once: a traced run spells
 * the same few masks in every call, and building them again each time was about 5 % of
 * the CPU samples of the course's own checks. Bounded, so that a test (or a learner's
 * code) that tries every bit cannot grow it without end; past the bound a mask is spelled
 * each time it is asked for.
 */
public final class Spellings {
    private final Map<Integer, String> spelled = new ConcurrentHashMap<>();
    private final int max;
    private final IntFunction<String> spell;

    /** A memo of {@code spell} for up to {@code max} masks. */
    public Spellings(int max, IntFunction<String> spell) {
        this.max = max;
        this.spell = spell;
    }

    /** The spelling of {@code mask}. */
    public String of(int mask) {
        String named = spelled.get(mask);
        if (named == null) {
            named = spell.apply(mask);
            if (spelled.size() < max) {
                spelled.put(mask, named);
            }
        }
        return named;
    }
}
