package herd.nginx;

import herd.fs.Poll;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.fs.Vfs;
import herd.sched.Scheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client: {@code telnet 127.0.0.1 80} connects and then waits for the server (it
 * sends nothing); a burst is one client connecting {@code n} times in a row and keeping
 * every connection open; a request is a client that sends one and waits for the server
 * to close.
 */
public final class Telnet {
    /** 127.0.0.1:80. */
    public static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);

    private Telnet() {
    }

    /** {@code telnet 127.0.0.1 80}: a new process that connects once and waits. */
    public static Process connect(Scheduler sched) {
        return burst(sched, "telnet", 1);
    }

    /** A new process {@code comm} that makes {@code n} connections back to back, keeps them, and waits. */
    public static Process burst(Scheduler sched, String comm, int n) {
        Process p = new Process(sched, comm);
        p.spawn(comm, () -> {
            PollFd[] fds = new PollFd[n];
            for (int i = 0; i < n; i++) {
                int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP);
                SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
                fds[i] = new PollFd(fd, Poll.EPOLLIN);
            }
            Select.poll(fds, -1);
        });
        return p;
    }

    /**
     * A new process {@code comm} that makes {@code n} connections back to back, writing
     * {@code request} on each, then waits until the server closed every one (poll reports
     * the end of file), closes its ends and exits.
     */
    public static Process requests(Scheduler sched, String comm, int n, String request) {
        Process p = new Process(sched, comm);
        p.spawn(comm, () -> makeRequests(n, request));
        return p;
    }

    /**
     * The body of {@link #requests}, in the current task: {@code n} connections with
     * {@code request} written on each, then a wait until the server closed every one.
     */
    public static void makeRequests(int n, String request) {
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP);
            SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            Vfs.write(fd, bytes, bytes.length);
            open.add(fd);
        }
        while (!open.isEmpty()) {
            PollFd[] fds = open.stream().map(fd -> new PollFd(fd, Poll.EPOLLIN)).toArray(PollFd[]::new);
            Select.poll(fds, -1);
            for (PollFd pfd : fds) {
                if (pfd.revents != 0) {
                    Vfs.close(pfd.fd);
                    open.remove(Integer.valueOf(pfd.fd));
                }
            }
        }
    }

    /** One connection of {@link #requests}: connect, write {@code request}, wait for the server's close. */
    public static Process request(Scheduler sched, String comm, String request) {
        return requests(sched, comm, 1, request);
    }
}
