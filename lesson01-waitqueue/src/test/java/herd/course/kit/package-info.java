/**
 * The course's test kit: what the tests of every lesson and of the given code share,
 * each helper defined once. A lesson's test-jar can only use the lessons before it, so
 * each part lives in the lowest lesson whose code it needs:
 *
 * <ul>
 *   <li>lesson 1: {@code Syscalls} (results and errno names), {@code Tasks},
 *       {@code WaitQueues}, {@code Schedulers}, {@code Traces}, {@code Locks},
 *       {@code DemoOutput};</li>
 *   <li>lesson 2: {@code Processes} (a process to run syscalls in, its descriptors),
 *       {@code Io} (eventfds, stream pairs, text in and out), {@code Epolls};</li>
 *   <li>lesson 3: {@code Sockets} (127.0.0.1:80, listeners, clients);</li>
 *   <li>lesson 4: {@code Nginx}.</li>
 * </ul>
 *
 * <p>Helpers that reach package-private code stay in their layer's package:
 * {@code herd.epoll.EpollTests} and {@code ExclusiveTests}, {@code herd.inet.InetTests}
 * and {@code ReuseportHash}, {@code herd.nginx.NgxTests}.
 */
package herd.course.kit;
