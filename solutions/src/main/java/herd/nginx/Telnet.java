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
     * A new process {@code comm} that connects, writes {@code request}, waits until the
     * server closes the connection (poll reports the end of file), closes its end and exits.
     */
    public static Process request(Scheduler sched, String comm, String request) {
        Process p = new Process(sched, comm);
        p.spawn(comm, () -> {
            int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP);
            SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            byte[] bytes = request.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Vfs.write(fd, bytes, bytes.length);
            Select.poll(new PollFd[] {new PollFd(fd, Poll.EPOLLIN)}, -1);
            Vfs.close(fd);
        });
        return p;
    }
}
