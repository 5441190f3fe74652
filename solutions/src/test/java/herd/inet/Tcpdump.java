package herd.inet;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** tcpdump for the model's tests: every segment the loopback carries, as tcpdump prints it. */
final class Tcpdump {
    private Tcpdump() {
    }

    /** Records, from now on, every segment the current network namespace's loopback carries. */
    static List<String> start() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Net.current().setDropFilter(skb -> {
            seen.add(skb.toString());
            return false;
        });
        return seen;
    }
}
