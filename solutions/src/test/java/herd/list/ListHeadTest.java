package herd.list;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ListHeadTest {
    /** An object that embeds a list node, as a kernel struct embeds its list_head. */
    private static final class Item {
        final String name;
        final ListHead<Item> node = new ListHead<>(this);

        Item(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final ListHead<Item> head = new ListHead<>();
    private final Item a = new Item("a");
    private final Item b = new Item("b");
    private final Item c = new Item("c");

    private static List<Item> walk(ListHead<Item> head) {
        List<Item> out = new ArrayList<>();
        head.entries().forEach(out::add);
        return out;
    }

    /** The same list walked backwards through prev(), to check both directions are linked. */
    private static List<Item> walkBackwards(ListHead<Item> head) {
        List<Item> out = new ArrayList<>();
        for (ListHead<Item> pos = head.prev(); pos != head; pos = pos.prev()) {
            out.add(0, pos.owner());
        }
        return out;
    }

    /** Links {@code items} at the tail of the list under test, in this order. */
    private void addTail(Item... items) {
        for (Item item : items) {
            head.addTail(item.node);
        }
    }

    /** The list under test holds exactly {@code expected}, walked forwards and backwards (both directions linked). */
    private void assertLinked(Item... expected) {
        assertThat(walk(head)).containsExactly(expected);
        assertThat(walkBackwards(head)).containsExactly(expected);
    }

    @Test
    void aNewHeadIsAnEmptyListWithoutOwner() {
        assertThat(head.isEmpty()).isTrue();
        assertThat(head.owner()).isNull();
        assertThat(head.next()).isSameAs(head);
        assertThat(head.prev()).isSameAs(head);
        assertThat(head.size()).isZero();
        assertThat(head.isSingular()).isFalse();
        assertThat(head.firstEntry()).isNull();
        assertThat(head.lastEntry()).isNull();
        assertThat(walk(head)).isEmpty();
    }

    @Test
    void aNodeKnowsItsOwnerAndIsEmptyWhileUnlinked() {
        assertThat(a.node.owner()).isSameAs(a);
        assertThat(a.node.isEmpty()).isTrue();
        assertThat(a.node.next()).isSameAs(a.node);
        assertThat(a.node.prev()).isSameAs(a.node);

        head.add(a.node);

        assertThat(a.node.isEmpty()).isFalse();
        assertThat(head.isEmpty()).isFalse();
    }

    @Test
    void addInsertsAtTheHead() {
        head.add(a.node);
        head.add(b.node);
        head.add(c.node);

        assertLinked(c, b, a);
    }

    @Test
    void addTailInsertsAtTheTail() {
        head.addTail(a.node);
        head.addTail(b.node);
        head.addTail(c.node);

        assertLinked(a, b, c);
    }

    @Test
    void addAndAddTailMix() {
        head.addTail(a.node);
        head.add(b.node);
        head.addTail(c.node);

        assertThat(walk(head)).containsExactly(b, a, c);
        assertThat(head.firstEntry()).isSameAs(b);
        assertThat(head.lastEntry()).isSameAs(c);
    }

    @Test
    void addOnANodeInsertsRightAfterIt() {
        head.addTail(a.node);
        head.addTail(c.node);

        a.node.add(b.node);

        assertLinked(a, b, c);
    }

    @Test
    void delInitUnlinksAndLeavesTheNodeEmpty() {
        addTail(a, b, c);

        b.node.delInit();

        assertLinked(a, c);
        assertThat(b.node.isEmpty()).isTrue();
        assertThat(b.node.next()).isSameAs(b.node);
        assertThat(b.node.prev()).isSameAs(b.node);
        assertThat(head.size()).isEqualTo(2);
    }

    @Test
    void delInitOfAnUnlinkedNodeChangesNothing() {
        head.addTail(a.node);

        b.node.delInit();

        assertThat(b.node.isEmpty()).isTrue();
        assertThat(walk(head)).containsExactly(a);
    }

    @Test
    void deletingTheLastEntryEmptiesTheList() {
        head.add(a.node);
        a.node.delInit();

        assertThat(head.isEmpty()).isTrue();
        assertThat(head.size()).isZero();
        assertThat(head.firstEntry()).isNull();
    }

    @Test
    void aDeletedNodeMayBeAddedAgain() {
        addTail(a, b);
        a.node.delInit();

        head.addTail(a.node);

        assertThat(walk(head)).containsExactly(b, a);
    }

    @Test
    void addingANodeThatIsAlreadyLinkedIsRefused() {
        addTail(a, b);

        assertThatThrownBy(() -> head.add(a.node))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("list_add corruption: node is already on a list");
        assertThatThrownBy(() -> head.addTail(b.node))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("list_add corruption: node is already on a list");

        assertLinked(a, b);
    }

    @Test
    void addingANodeThatIsOnAnotherListIsRefused() {
        ListHead<Item> other = new ListHead<>();
        other.add(a.node);

        assertThatThrownBy(() -> head.addTail(a.node)).isInstanceOf(IllegalStateException.class);

        assertThat(head.isEmpty()).isTrue();
        assertThat(walk(other)).containsExactly(a);
    }

    @Test
    void entriesToleratesUnlinkingTheCurrentEntry() {
        addTail(a, b, c);
        List<Item> seen = new ArrayList<>();

        for (Item item : head.entries()) {
            seen.add(item);
            item.node.delInit();
        }

        assertThat(seen).containsExactly(a, b, c);
        assertThat(head.isEmpty()).isTrue();
        assertThat(a.node.isEmpty()).isTrue();
        assertThat(b.node.isEmpty()).isTrue();
        assertThat(c.node.isEmpty()).isTrue();
    }

    @Test
    void entriesToleratesUnlinkingSomeEntries() {
        addTail(a, b, c);
        List<Item> seen = new ArrayList<>();

        for (Item item : head.entries()) {
            seen.add(item);
            if (item == b) {
                item.node.delInit();
            }
        }

        assertThat(seen).containsExactly(a, b, c);
        assertThat(walk(head)).containsExactly(a, c);
    }

    @Test
    void theIteratorEndsWithNoSuchElement() {
        head.addTail(a.node);
        Iterator<Item> it = head.entries().iterator();

        assertThat(it.hasNext()).isTrue();
        assertThat(it.next()).isSameAs(a);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void sizeCountsTheEntries() {
        assertThat(head.size()).isZero();
        head.addTail(a.node);
        assertThat(head.size()).isEqualTo(1);
        head.addTail(b.node);
        head.add(c.node);
        assertThat(head.size()).isEqualTo(3);
    }

    @Test
    void isSingularIsTrueForExactlyOneEntry() {
        assertThat(head.isSingular()).isFalse();
        head.addTail(a.node);
        assertThat(head.isSingular()).isTrue();
        head.addTail(b.node);
        assertThat(head.isSingular()).isFalse();
    }

    @Test
    void firstAndLastEntry() {
        head.addTail(a.node);
        assertThat(head.firstEntry()).isSameAs(a);
        assertThat(head.lastEntry()).isSameAs(a);

        head.addTail(b.node);
        head.addTail(c.node);

        assertThat(head.firstEntry()).isSameAs(a);
        assertThat(head.lastEntry()).isSameAs(c);
    }

    @Test
    void moveTailMovesAnEntryToTheTailOfTheSameList() {
        addTail(a, b, c);

        head.moveTail(a.node);

        assertLinked(b, c, a);
    }

    @Test
    void moveTailMovesAnEntryFromAnotherList() {
        ListHead<Item> other = new ListHead<>();
        other.addTail(a.node);
        other.addTail(b.node);
        head.addTail(c.node);

        head.moveTail(a.node);

        assertThat(walk(other)).containsExactly(b);
        assertLinked(c, a);
    }

    @Test
    void moveTailAddsAnUnlinkedNode() {
        head.addTail(a.node);

        head.moveTail(b.node);

        assertThat(walk(head)).containsExactly(a, b);
    }
}
