package herd.fix.crosscheck;

import herd.fix.demo.Comparison;
import herd.fix.demo.ComparisonRunner;
import herd.fix.demo.Strategies;
import herd.fix.demo.Workload;
import herd.nginx.HerdFigures;
import herd.sched.DeterministicScheduler;
import herd.trace.Timeline;
import herd.trace.TimelineFiles;
import herd.trace.TraceEventJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The model beside the real kernel. Each scenario runs on this machine: N worker threads
 * serve a port on 127.0.0.1 and a client makes M connections one at a time, each after
 * every worker sleeps again; per connection it counts the workers' voluntary context
 * switches (from {@code /proc}: every wake-up of a sleeping worker is one, including the
 * ones that end inside {@code epoll_wait} and never reach Java), the returns of the call
 * they sleep in, and the accepts that found nothing; it does so {@value #RUNS} times and
 * prints the range. Beside each, the model's prediction for the same strategy and N on as
 * many CPUs as this machine has ({@link DeterministicScheduler#smp}): lesson 5's trickle
 * ({@link Comparison}). Writes the last run's threads in the Trace Event Format
 * ({@link KernelTrace}) into lesson05-exclusive/timelines/kernel, to open beside the
 * model's timelines. Linux only.
 */
public final class CrossCheck {
    /** Connections per run, and the worker counts, by default. */
    static final int CONNECTIONS = 50;
    static final List<Integer> WORKERS = List.of(1, 2, 4, 8);
    /** Kernel runs per scenario and worker count: the table gives their range. */
    static final int RUNS = 3;
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** A scenario on the real kernel, and the strategy of the model it stands for. */
    public record Scenario(String name, String model, Supplier<KernelServer> server) {
    }

    /** The scenarios, in the order of the table. */
    public static final List<Scenario> SCENARIOS = List.of(
            new Scenario("NIO, one channel, a Selector per worker", "herd", () -> new NioServer(false)),
            new Scenario("NIO, SO_REUSEPORT, a channel per worker", "reuseport", () -> new NioServer(true)),
            new Scenario("epoll (JNA), EPOLLIN", "herd", () -> new EpollServer(false)),
            new Scenario("epoll (JNA), EPOLLIN|EPOLLEXCLUSIVE", "EPOLLEXCLUSIVE", () -> new EpollServer(true)),
            new Scenario("blocking accept4 (JNA)", "blocking accept", BlockingAcceptServer::new));

    /** What the kernel run measured, per connection, each worker's accepts, and the run's timeline. */
    public record Measured(double switches, double returns, double failed, List<Long> accepts, Timeline timeline) {
    }

    private CrossCheck() {
    }

    /** Prints the table; arguments: the connections per run, then the worker counts. */
    public static void main(String[] args) throws Exception {
        if (!System.getProperty("os.name").equals("Linux")) {
            System.out.println("The cross-check measures the Linux kernel; this is " + System.getProperty("os.name")
                    + ".");
            return;
        }
        int m = args.length > 0 ? Integer.parseInt(args[0]) : CONNECTIONS;
        List<Integer> workers = args.length > 1
                ? List.of(args).subList(1, args.length).stream().map(Integer::parseInt).toList() : WORKERS;
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.printf("%s; %d connections per run, one at a time; kernel: the range of %d runs; model: %d CPUs, "
                + "seed 1.%n%n", machine(), m, RUNS, cpus);
        System.out.println("| scenario | model | workers | wake-ups/conn: model | context switches/conn: kernel "
                + "| returns/conn: model | returns/conn: kernel | failed accepts/conn: model | failed accepts/conn: kernel "
                + "| accepts per worker: kernel, last run |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        Path timelines = TimelineFiles.dir("lesson05-exclusive").resolve("kernel");
        Files.createDirectories(timelines);
        for (Scenario s : SCENARIOS) {
            for (int n : workers) {
                HerdFigures model = predict(s.model(), n, cpus);
                List<Measured> runs = new ArrayList<>();
                for (int r = 0; r < RUNS; r++) {
                    runs.add(measure(s, n, m));
                }
                Files.writeString(timelines.resolve(s.name().replaceAll("[^A-Za-z0-9]+", "-") + "-" + n + "-workers.json"),
                        TraceEventJson.render(runs.get(RUNS - 1).timeline()));
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %s | %.2f | %s | %.2f | %s | %s |%n",
                        s.name(), s.model(), n, model.wakeupsPerConnection(), range(runs, Measured::switches),
                        returns(model), range(runs, Measured::returns), model.spuriousPerConnection(),
                        range(runs, Measured::failed), runs.get(RUNS - 1).accepts());
            }
        }
        System.out.printf("%nEach run's threads, for Perfetto (https://ui.perfetto.dev) or chrome://tracing: %s%n",
                timelines);
    }

    /** The model's figures for {@code strategy} with {@code n} workers on {@code cpus} CPUs: lesson 5's trickle. */
    public static HerdFigures predict(String strategy, int n, int cpus) {
        return ComparisonRunner.onCpus(Strategies.named(strategy), Workload.TRICKLE, n, cpus).figures();
    }

    /** The model's returns per connection of the call the workers sleep in: the wake-ups that were not hidden. */
    public static double returns(HerdFigures model) {
        return model.wakeupsPerConnection() - model.hiddenPerConnection();
    }

    /** {@code min-max} of {@code value} over {@code runs}, or the one value if they agree to the hundredth. */
    private static String range(List<Measured> runs, ToDoubleFunction<Measured> value) {
        String min = String.format(Locale.ROOT, "%.2f", runs.stream().mapToDouble(value).min().orElseThrow());
        String max = String.format(Locale.ROOT, "%.2f", runs.stream().mapToDouble(value).max().orElseThrow());
        return min.equals(max) ? min : min + "-" + max;
    }

    /** Runs {@code scenario} on this kernel with {@code n} workers and {@code m} connections. */
    public static Measured measure(Scenario scenario, int n, int m) throws Exception {
        try (KernelServer server = scenario.server().get()) {
            server.start(n);
            awaitSleeping(server);
            long before = switches(server);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            for (int i = 0; i < m; i++) {
                long[] switchesBefore = server.tids.stream().mapToLong(Tid::voluntarySwitches).toArray();
                long[] returnsBefore = server.counts.stream().mapToLong(c -> c.returns).toArray();
                long start = System.nanoTime();
                try (Socket s = new Socket()) {
                    s.connect(address);
                    server.trace.call(n, "connect", start, "0", false);
                    if (s.getInputStream().read() != -1) {
                        throw new IllegalStateException("the server sent data; it only closes");
                    }
                }
                awaitSleeping(server);
                for (int w = 0; w < n; w++) {
                    long woken = server.tids.get(w).voluntarySwitches() - switchesBefore[w];
                    long returned = server.counts.get(w).returns - returnsBefore[w];
                    server.trace.woken(n, w, start, woken, Math.max(0, woken - returned));
                }
            }
            long switches = switches(server) - before;
            long returns = server.counts.stream().mapToLong(c -> c.returns).sum();
            long failed = server.counts.stream().mapToLong(c -> c.failed).sum();
            List<Long> accepts = server.counts.stream().map(c -> c.accepts).toList();
            List<Timeline.Lane> lanes = new ArrayList<>();
            for (int w = 0; w < n; w++) {
                lanes.add(new Timeline.Lane("kworker" + (w + 1) + " (tid " + server.tids.get(w).tid() + ")",
                        server.tids.get(w).tid()));
            }
            Tid client = Tid.current();
            lanes.add(new Timeline.Lane("client (tid " + client.tid() + ")", client.tid()));
            Timeline timeline = server.trace.timeline(scenario.name() + ", " + n + " workers, " + m
                    + " connections: the real kernel", lanes);
            return new Measured((double) switches / m, (double) returns / m, (double) failed / m, accepts, timeline);
        }
    }

    private static long switches(KernelServer server) {
        return server.tids.stream().mapToLong(Tid::voluntarySwitches).sum();
    }

    /** Waits until every worker sleeps (bounded: a worker that never sleeps again fails the run). */
    private static void awaitSleeping(KernelServer server) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (!server.tids.stream().allMatch(Tid::sleeping)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a worker did not go back to sleep within 2 s");
            }
            Thread.sleep(1);
        }
    }

    private static String machine() throws IOException {
        String cpu = System.getProperty("os.arch");
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        return String.format("%s, %d CPUs, Linux %s, %s %s", cpu, Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"));
    }
}
