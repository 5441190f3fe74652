package herd.fix.demo;

import herd.nginx.NgxConf;
import java.util.List;

/**
 * Every strategy of lessons 4 and 5, by name: what the comparison, the real-kernel
 * cross-check and the benchmarks run.
 */
public final class Strategies {
    /** The last nginx that used {@code EPOLLEXCLUSIVE} without {@code ngx_reorder_accept_events}: 1.21.5. */
    private static final int NGINX_1_21_5 = 1_021_005;

    /** The strategies, in the order of the comparison's table. */
    public static final List<Strategy> ALL = List.of(
            Strategy.nginx("herd", NgxConf::herd),
            Strategy.nginx("multi_accept", n -> NgxConf.herd(n).withMultiAccept(true)),
            Strategy.nginx("accept_mutex", n -> NgxConf.herd(n).withAcceptMutex()),
            Strategy.nginx("EPOLLEXCLUSIVE", n -> NgxConf.stock(n).withVersion(NGINX_1_21_5)),
            Strategy.nginx("EPOLLEXCLUSIVE + reorder", NgxConf::stock),
            Strategy.nginx("reuseport", n -> NgxConf.herd(n).withReuseport()),
            Strategy.prefork("blocking accept"));

    private Strategies() {
    }

    /** The strategy called {@code name}; fails for a name that is not one. */
    public static Strategy named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no strategy " + name));
    }
}
