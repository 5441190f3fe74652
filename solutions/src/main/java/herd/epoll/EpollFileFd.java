package herd.epoll;

import herd.fs.File;

/** {@code struct epoll_filefd}: what an epoll item watches, and its key in the epoll's tree. */
public record EpollFileFd(File file, int fd) {
}
