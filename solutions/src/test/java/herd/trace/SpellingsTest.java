package herd.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memo of strace spellings: each mask spelled once while there is room, every time past the bound. */
class SpellingsTest {
    @Test
    void aMaskIsSpelledOnceWhileThereIsRoomAndEachTimePastTheBound() {
        List<Integer> spelled = new ArrayList<>();
        Spellings names = new Spellings(2, mask -> {
            spelled.add(mask);
            return "M" + mask;
        });

        assertThat(List.of(names.of(1), names.of(1), names.of(2), names.of(2))).containsExactly("M1", "M1", "M2", "M2");
        assertThat(spelled).as("masks spelled: each once, the memo had room for both").containsExactly(1, 2);

        assertThat(List.of(names.of(3), names.of(3), names.of(1))).containsExactly("M3", "M3", "M1");
        assertThat(spelled).as("a third mask is past the bound of 2: spelled each time; the first two stay kept")
                .containsExactly(1, 2, 3, 3);
    }
}
