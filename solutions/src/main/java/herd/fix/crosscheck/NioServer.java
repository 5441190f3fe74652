package herd.fix.crosscheck;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Java NIO workers, each with its own {@link Selector} (its own epoll, level-triggered
 * {@code EPOLLIN}): on one shared {@link ServerSocketChannel}, which is the herd, or with
 * {@code SO_REUSEPORT}, one channel per worker on the same port. A worker counts the
 * {@code select()} returns, and the {@code accept()} calls that found nothing.
 */
final class NioServer extends KernelServer {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final boolean reuseport;
    private final List<ServerSocketChannel> channels = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private int port;

    NioServer(boolean reuseport) {
        this.reuseport = reuseport;
    }

    @Override
    void start(int n) throws InterruptedException {
        try {
            for (int i = 0; i < n; i++) {
                if (i == 0 || reuseport) {
                    ServerSocketChannel ssc = ServerSocketChannel.open();
                    if (reuseport) {
                        ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                    ssc.bind(new InetSocketAddress(LOOPBACK, port), 511);
                    ssc.configureBlocking(false);
                    port = ((InetSocketAddress) ssc.getLocalAddress()).getPort();
                    channels.add(ssc);
                }
                selectors.add(Selector.open());
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not open the listening sockets", e);
        }
        super.start(n);
    }

    @Override
    int port() {
        return port;
    }

    @Override
    void work(int i, Counts c) throws IOException {
        ServerSocketChannel ssc = channels.get(reuseport ? i : 0);
        Selector selector = selectors.get(i);
        ssc.register(selector, SelectionKey.OP_ACCEPT);
        while (!stopping) {
            long waited = System.nanoTime();
            int ready = selector.select();
            trace.call(i, "select", waited, Integer.toString(ready), false);
            if (ready == 0) {
                continue;
            }
            selector.selectedKeys().clear();
            c.returns++;
            long start = System.nanoTime();
            SocketChannel accepted = ssc.accept();
            trace.call(i, "accept", start, accepted == null ? "null" : "a channel", accepted == null);
            if (accepted == null) {
                c.failed++;
            } else {
                c.accepts++;
                accepted.close();
            }
        }
    }

    @Override
    void wakeAll() {
        selectors.forEach(Selector::wakeup);
    }

    @Override
    void release() throws IOException {
        for (Selector s : selectors) {
            s.close();
        }
        for (ServerSocketChannel ssc : channels) {
            ssc.close();
        }
    }
}
