package herd.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ErrnoTest {
    /** The numbers of include/uapi/asm-generic/errno-base.h, errno.h and include/linux/errno.h. */
    @ParameterizedTest
    @CsvSource({
        "EPERM, 1", "ENOENT, 2", "EINTR, 4", "EBADF, 9", "EAGAIN, 11", "ENOMEM, 12", "EFAULT, 14",
        "EEXIST, 17", "EINVAL, 22", "ENFILE, 23", "EMFILE, 24", "ENOSPC, 28", "EPIPE, 32", "EDOM, 33", "ELOOP, 40",
        "ENOTSOCK, 88", "ENOPROTOOPT, 92", "EPROTONOSUPPORT, 93", "ESOCKTNOSUPPORT, 94", "EOPNOTSUPP, 95",
        "EAFNOSUPPORT, 97", "EADDRINUSE, 98", "EADDRNOTAVAIL, 99", "ECONNABORTED, 103", "ECONNRESET, 104",
        "EISCONN, 106", "ENOTCONN, 107", "ETIMEDOUT, 110", "ECONNREFUSED, 111", "EALREADY, 114", "EINPROGRESS, 115",
        "ERESTARTSYS, 512"
    })
    void numbersAreTheKernels(Errno errno, int number) {
        assertThat(errno.number()).isEqualTo(number);
        assertThat(errno.neg()).isEqualTo(-number);
    }

    @Test
    void everyErrnoIsListedAboveWithADistinctNumber() {
        assertThat(Errno.values()).hasSize(32);
        assertThat(Arrays.stream(Errno.values()).mapToInt(Errno::number).distinct().count()).isEqualTo(32);
    }

    @Test
    void aRestartedSyscallLeavesTheKernelAsEintrSinceTheModelHasNoSaRestart() {
        assertThat(Errno.toUser(Errno.ERESTARTSYS.neg())).isEqualTo(Errno.EINTR.neg());
        assertThat(Errno.toUser(Errno.EAGAIN.neg())).isEqualTo(Errno.EAGAIN.neg());
        assertThat(Errno.toUser(5)).isEqualTo(5);
    }

    @Test
    void messagesAreWhatStrerrorAndStracePrint() {
        assertThat(Errno.EAGAIN.message()).isEqualTo("Resource temporarily unavailable");
        assertThat(Errno.EINTR.message()).isEqualTo("Interrupted system call");
        assertThat(Errno.EBADF.message()).isEqualTo("Bad file descriptor");
        assertThat(Errno.EINVAL.message()).isEqualTo("Invalid argument");
        assertThat(Errno.ETIMEDOUT.message()).isEqualTo("Connection timed out");
        assertThat(Errno.ERESTARTSYS.message()).isEqualTo("To be restarted if SA_RESTART is set");
    }

    @ParameterizedTest
    @EnumSource(Errno.class)
    void ofNamesTheNegatedNumber(Errno errno) {
        assertThat(Errno.of(errno.neg())).isSameAs(errno);
        assertThat(Errno.isError(errno.neg())).isTrue();
    }

    @Test
    void ofRefusesWhatIsNotAKnownNegatedErrno() {
        assertThatThrownBy(() -> Errno.of(11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a known negated errno: 11");
        assertThatThrownBy(() -> Errno.of(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a known negated errno: 0");
        assertThatThrownBy(() -> Errno.of(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a known negated errno: -3");
    }

    @Test
    void isErrorIsTheKernelsIsErrValueRange() {
        assertThat(Errno.isError(-1)).isTrue();
        assertThat(Errno.isError(-4095)).isTrue();
        assertThat(Errno.isError(-4096)).isFalse();
        assertThat(Errno.isError(Long.MIN_VALUE)).isFalse();
        assertThat(Errno.isError(0)).isFalse();
        assertThat(Errno.isError(1)).isFalse();
        assertThat(Errno.isError(Long.MAX_VALUE)).isFalse();
    }
}
