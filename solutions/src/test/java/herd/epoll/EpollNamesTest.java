package herd.epoll;

import static herd.epoll.Epoll.EPOLLET;
import static herd.epoll.Epoll.EPOLLEXCLUSIVE;
import static herd.epoll.Epoll.EPOLLONESHOT;
import static herd.epoll.Epoll.EPOLLWAKEUP;
import static herd.fs.Poll.EPOLLIN;
import static herd.fs.Poll.EPOLLOUT;
import static herd.fs.Poll.EPOLLRDHUP;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An epoll mask spelled as strace spells it in {@code epoll_ctl} and {@code epoll_wait}:
 * the event bits first, then the input flags in strace's order, joined with {@code |};
 * {@code 0} for no bit at all. {@link Epoll#spell} is tested directly: {@link Epoll#names}
 * keeps what it spelled ({@code herd.trace.Spellings}), so a second call would not spell again.
 */
class EpollNamesTest {
    @Test
    @DisplayName("event bits, then EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT, EPOLLET, joined with |")
    void eventsThenFlagsInStracesOrder() {
        assertThat(Epoll.spell(EPOLLIN | EPOLLRDHUP | EPOLLET)).isEqualTo("EPOLLIN|EPOLLRDHUP|EPOLLET");
        assertThat(Epoll.spell(EPOLLET | EPOLLONESHOT | EPOLLWAKEUP | EPOLLEXCLUSIVE | EPOLLOUT))
                .isEqualTo("EPOLLOUT|EPOLLEXCLUSIVE|EPOLLWAKEUP|EPOLLONESHOT|EPOLLET");
    }

    @Test
    @DisplayName("a mask of flags only starts with the first flag, not with |; an empty mask is 0")
    void flagsAloneAndNothing() {
        assertThat(Epoll.spell(EPOLLET)).isEqualTo("EPOLLET");
        assertThat(Epoll.spell(EPOLLEXCLUSIVE | EPOLLIN)).isEqualTo("EPOLLIN|EPOLLEXCLUSIVE");
        assertThat(Epoll.spell(EPOLLONESHOT)).isEqualTo("EPOLLONESHOT");
        assertThat(Epoll.spell(EPOLLIN)).isEqualTo("EPOLLIN");
        assertThat(Epoll.spell(0)).isEqualTo("0");
    }

    @Test
    @DisplayName("names() gives what spell() gives, the first time and the next")
    void namesIsSpellRemembered() {
        int mask = EPOLLIN | EPOLLOUT | EPOLLONESHOT;
        assertThat(Epoll.names(mask)).isEqualTo(Epoll.spell(mask)).isEqualTo("EPOLLIN|EPOLLOUT|EPOLLONESHOT");
        assertThat(Epoll.names(mask)).isEqualTo("EPOLLIN|EPOLLOUT|EPOLLONESHOT");
    }
}
