package herd.nginx;

import java.util.List;

/**
 * The herd per connection, for one run: what each connection cost the workers.
 *
 * @param workers                the number of workers
 * @param connections            connections made in the run
 * @param callbacksPerConnection {@code ep_poll_callback} calls per connection
 * @param wakeupsPerConnection   worker wake-ups (in {@code epoll_wait}) per connection
 * @param spuriousPerConnection  {@code epoll_wait} returns that ended in {@code EAGAIN}, per connection
 * @param hiddenPerConnection    wake-ups that never reached user space, per connection
 * @param acceptsPerWorker       connections each worker accepted, in worker order
 * @param fairness               Jain's fairness index of the accepts: 1 when equal, 1/n when one worker took all
 */
public record HerdFigures(int workers, long connections, double callbacksPerConnection, double wakeupsPerConnection,
                          double spuriousPerConnection, double hiddenPerConnection, List<Long> acceptsPerWorker,
                          double fairness) {
}
