package herd.nginx;

import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Syscalls.check;

import herd.epoll.Epoll;
import herd.fs.Process;
import java.util.function.Consumer;

/**
 * A worker made by hand in a test process (no master, no fork: the exercise under test is
 * called directly), and the connections of its event loop. In {@code herd.nginx} because
 * they reach package-private code; the rest of the nginx tests' kit is
 * {@code herd.course.kit.Nginx}. Nothing here calls an exercise.
 */
final class NgxTests {
    private NgxTests() {
    }

    /**
     * Runs {@code body} in one task of a fresh test process (seed 1), to the end, with a
     * worker made by hand: not forked by a master, its epoll made with {@code epoll_create1}
     * (not the exercise's {@code epoll_create}), current for the task.
     */
    static void inWorker(boolean multiAccept, Consumer<NgxWorker> body) {
        inProcess(() -> {
            NgxWorker worker = new NgxWorker(null, 0, NgxConf.herd(1).withMultiAccept(multiAccept));
            worker.ep = (int) check(Epoll.epollCreate1(0));
            worker.attach(Process.current());
            body.accept(worker);
        });
    }

    /** A listening connection for {@code fd}, as {@code ngx_event_process_init} makes it (not registered). */
    static NgxConnection listening(int fd) {
        return new NgxConnection(fd, true);
    }
}
