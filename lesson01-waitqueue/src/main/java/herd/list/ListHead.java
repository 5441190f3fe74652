package herd.list;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A node of a circular doubly linked list, embedded in the object it links, as
 * {@code struct list_head} in include/linux/list.h.
 *
 * <p>A list is a head node whose {@code owner} is {@code null}; every other node
 * carries the object it belongs to. An unlinked node points to itself, so
 * {@link #isEmpty()} on an entry tells whether it is on a list ({@code list_empty}).
 *
 * @param <T> the type of the object that embeds the node
 */
public final class ListHead<T> {
    private final T owner;
    private ListHead<T> prev = this;
    private ListHead<T> next = this;

    /** A list head ({@code LIST_HEAD}): an empty list with no owner. */
    public ListHead() {
        this(null);
    }

    /** A node embedded in {@code owner} ({@code INIT_LIST_HEAD} on a member). */
    public ListHead(T owner) {
        this.owner = owner;
    }

    /** The object this node is embedded in ({@code list_entry}); {@code null} for a head. */
    public T owner() {
        return owner;
    }

    /** The next node ({@code ->next}). */
    public ListHead<T> next() {
        return next;
    }

    /** The previous node ({@code ->prev}). */
    public ListHead<T> prev() {
        return prev;
    }

    /** {@code list_add}: inserts {@code node} right after this node (at the head of a list). */
    public void add(ListHead<T> node) {
        insert(node, this, next);
    }

    /** {@code list_add_tail}: inserts {@code node} right before this node (at the tail of a list). */
    public void addTail(ListHead<T> node) {
        insert(node, prev, this);
    }

    private static <T> void insert(ListHead<T> node, ListHead<T> prev, ListHead<T> next) {
        if (!node.isEmpty()) {
            throw new IllegalStateException("list_add corruption: node is already on a list");
        }
        next.prev = node;
        node.next = next;
        node.prev = prev;
        prev.next = node;
    }

    /** {@code list_del_init}: unlinks this node and leaves it pointing to itself. */
    public void delInit() {
        prev.next = next;
        next.prev = prev;
        next = this;
        prev = this;
    }

    /** {@code list_empty}: true for a head with no entries, or a node that is on no list. */
    public boolean isEmpty() {
        return next == this;
    }

    /** {@code list_is_singular}: exactly one entry after this head. */
    public boolean isSingular() {
        return !isEmpty() && next == prev;
    }

    /** {@code list_first_entry_or_null}. */
    public T firstEntry() {
        return isEmpty() ? null : next.owner;
    }

    /** {@code list_last_entry} or null for an empty list. */
    public T lastEntry() {
        return isEmpty() ? null : prev.owner;
    }

    /** {@code list_move_tail}: unlinks {@code node} and adds it at the tail of this list. */
    public void moveTail(ListHead<T> node) {
        node.delInit();
        addTail(node);
    }

    /**
     * {@code list_splice_init(list, this)}: moves every entry of {@code list} to the front
     * of this list, in their order, and leaves {@code list} empty.
     */
    public void spliceInit(ListHead<T> list) {
        if (list.isEmpty()) {
            return;
        }
        ListHead<T> first = list.next;
        ListHead<T> last = list.prev;
        ListHead<T> at = next;
        first.prev = this;
        next = first;
        last.next = at;
        at.prev = last;
        list.next = list;
        list.prev = list;
    }

    /** The number of entries after this head ({@code list_count_nodes}). */
    public int size() {
        int n = 0;
        for (ListHead<T> pos = next; pos != this; pos = pos.next) {
            n++;
        }
        return n;
    }

    /**
     * {@code list_for_each_entry_safe}: the entries from first to last; the entry
     * just returned may be unlinked (by the loop body) without breaking the walk.
     */
    public Iterable<T> entries() {
        return () -> new Iterator<>() {
            private ListHead<T> pos = next;
            private ListHead<T> after = pos.next;

            @Override
            public boolean hasNext() {
                return pos != ListHead.this;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T entry = pos.owner;
                pos = after;
                after = pos.next;
                return entry;
            }
        };
    }
}
