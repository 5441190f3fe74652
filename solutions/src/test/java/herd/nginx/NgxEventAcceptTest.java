package herd.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import herd.uapi.Errno;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The given error path of {@code ngx_event_accept} (src/event/ngx_event_accept.c) for
 * errors the model's Linux cannot produce: {@code accept4} on a TCP listener never fails
 * with {@code ECONNABORTED} on Linux (a queued connection the client reset is accepted all
 * the same, and its first read reports the reset), so the rule nginx applies to it, for
 * the kernels that do, is tested by itself. {@code EMFILE} and a full connection pool are
 * tested end to end in lesson 4 ({@code AcceptHandlerTest}) and lesson 5
 * ({@code AcceptMutexTest}).
 */
class NgxEventAcceptTest {
    private static NgxEvent acceptEvent() {
        return new NgxConnection(6, true).read;
    }

    /** {@code level = NGX_LOG_ERR} for {@code NGX_ECONNABORTED}; {@code if (ev->available) continue;}. */
    @Test
    @DisplayName("ECONNABORTED is logged at [error] and nginx goes on to the next accept only with multi_accept (ev->available)")
    void econnabortedGoesOnWithMultiAccept() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1));
        NgxEvent ev = acceptEvent();
        ev.available = true;
        boolean withMultiAccept = NgxEventAccept.ngxAcceptError(worker, ev, Errno.ECONNABORTED.neg());
        ev.available = false;
        boolean without = NgxEventAccept.ngxAcceptError(worker, ev, Errno.ECONNABORTED.neg());
        assertThat(List.of(withMultiAccept, without)).as("continue the accept loop? [multi_accept on, off]")
                .containsExactly(true, false);
        assertThat(worker.errorLog).as("the error log").containsExactly(
                "[error] accept4() failed (103: Software caused connection abort)",
                "[error] accept4() failed (103: Software caused connection abort)");
        assertThat(ev.timerSet).as("no timer: the listening socket stays in the epoll").isFalse();
    }

    /** {@code level = NGX_LOG_ALERT} for any other error, and {@code return}. */
    @Test
    @DisplayName("any other error (EINVAL: the socket stopped listening) is logged at [alert] and ends the handler, with no timer")
    void otherErrorsAreLoggedAtAlert() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1).withMultiAccept(true));
        NgxEvent ev = acceptEvent();
        ev.available = true;
        assertThat(NgxEventAccept.ngxAcceptError(worker, ev, Errno.EINVAL.neg())).as("go on?").isFalse();
        assertThat(worker.errorLog).containsExactly("[alert] accept4() failed (22: Invalid argument)");
        assertThat(ev.timerSet).isFalse();
    }

    /** A worker that fails accept4 in a loop logs a line per turn: memory must not grow with the turns. */
    @Test
    @DisplayName("the error log keeps its first lines and counts the rest, so an accept error loop cannot fill the memory")
    void theErrorLogKeepsItsFirstLinesAndCountsTheRest() {
        NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1));
        NgxEvent ev = acceptEvent();
        for (int i = 0; i < NgxWorker.ERROR_LOG_LINES + 5; i++) {
            NgxEventAccept.ngxAcceptError(worker, ev, Errno.EINVAL.neg());
        }
        assertThat(worker.errorLog).hasSize(NgxWorker.ERROR_LOG_LINES)
                .allMatch(l -> l.equals("[alert] accept4() failed (22: Invalid argument)"));
        assertThat(worker.errorLogDropped).as("lines counted, not kept").hasValue(5);
    }
}
