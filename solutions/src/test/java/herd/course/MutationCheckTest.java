package herd.course;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The check behind {@code mvn -Pmutation verify} fails on what it must: a survivor
 * neither killed nor listed, a listed mutant that no longer survives, a package below
 * the goal; and the list of equivalent mutants is honest (each entry has a reason).
 */
class MutationCheckTest {
    private static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <mutations>
            %s
            </mutations>
            """;

    /** Every mutated line of these tests, unless a test says otherwise. */
    private static final Function<MutationCheck.Mutant, String> SOURCE = m -> "        x = y + 1;";

    private static String mutation(String status, String clazz, String method, int line, String mutator) {
        return "<mutation detected='" + !status.equals("SURVIVED") + "' status='" + status + "' numberOfTestsRun='1'>"
                + "<sourceFile>" + clazz.substring(clazz.lastIndexOf('.') + 1) + ".java</sourceFile><mutatedClass>" + clazz + "</mutatedClass><mutatedMethod>" + method
                + "</mutatedMethod><methodDescription>()V</methodDescription><lineNumber>" + line + "</lineNumber>"
                + "<mutator>org.pitest.mutationtest.engine.gregor.mutators." + mutator + "</mutator>"
                + "<indexes><index>1</index></indexes><blocks><block>1</block></blocks><killingTest/>"
                + "<description>a description</description></mutation>";
    }

    private static List<MutationCheck.Mutant> report(String... mutations) throws Exception {
        return MutationCheck.read(new ByteArrayInputStream(
                XML.formatted(String.join("\n", mutations)).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSurvivorMustBeKilledOrListedWithItsReason() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.wait.Wait", "finishWait", 10, "VoidMethodCallMutator"),
                mutation("SURVIVED", "herd.wait.Wait", "finishWait", 12, "ConditionalsBoundaryMutator"));

        MutationCheck.Verdict unlisted = MutationCheck.check(mutants, Map.of(), SOURCE, 0, Set.of());
        assertThat(unlisted.problems()).containsExactly("survived, neither killed nor listed: "
                + "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator (a description)");

        MutationCheck.Verdict listed = MutationCheck.check(mutants,
                MutationCheck.equivalents(List.of("# comment", "",
                        "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator | the bound is never reached")),
                SOURCE, 0, Set.of());
        assertThat(listed.problems()).isEmpty();
        assertThat(listed.table()).contains("| `herd.wait` | 2 | 0 | 1 | 0 | 1 | 0 | 50.0 % |");
    }

    @Test
    void aListedMutantThatNoLongerSurvivesFailsSoTheListStaysTrue() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.wait.Wait", "finishWait", 12, "ConditionalsBoundaryMutator"));
        Map<String, String> list = MutationCheck.equivalents(List.of(
                "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator | equivalent once",
                "herd.epoll.Epoll#epollCreate1:3 MathMutator | a class this run did not mutate"));

        assertThat(MutationCheck.check(mutants, list, SOURCE, 0, Set.of()).problems()).containsExactly("listed as "
                + "equivalent but no such mutant survives (killed, identical to the original, or the line moved): "
                + "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator");
    }

    @Test
    void aListedMutantThatTimedOutStaysAnEquivalentSurvivor() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.nginx.HerdAccounting", "jainIndex", 53, "MathMutator"),
                mutation("TIMED_OUT", "herd.nginx.HerdAccounting", "jainIndex", 54, "MathMutator"));
        Map<String, String> list = MutationCheck.equivalents(List.of(
                "herd.nginx.HerdAccounting#jainIndex:54 MathMutator | (-sum)^2 = sum^2"));

        MutationCheck.Verdict verdict = MutationCheck.check(mutants, list, SOURCE, 0, Set.of());
        assertThat(verdict.problems()).as("an equivalent mutant that ran out of time on a slow machine was not "
                + "caught by a test: the list is still true").isEmpty();
        assertThat(verdict.table()).as("and it counts as a survivor, not a kill")
                .contains("| `herd.nginx` | 2 | 0 | 1 | 0 | 1 | 0 | 50.0 % |");
    }

    @Test
    void theGoalCountsListedMutantsAsSurvivorsAndIgnoresUncoveredOnes() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.inet.Tcp", "a", 1, "MathMutator"),
                mutation("TIMED_OUT", "herd.inet.Tcp", "a", 2, "MathMutator"),
                mutation("NO_COVERAGE", "herd.inet.Tcp", "toString", 3, "NullReturnValsMutator"),
                mutation("SURVIVED", "herd.inet.Tcp", "a", 4, "MathMutator"));
        Map<String, String> list = MutationCheck.equivalents(List.of("herd.inet.Tcp#a:4 MathMutator | same result"));

        MutationCheck.Verdict verdict = MutationCheck.check(mutants, list, SOURCE, 98, Set.of());
        assertThat(verdict.rows()).singleElement().satisfies(r -> assertThat(r.strength()).isCloseTo(66.7, offset(0.1)));
        assertThat(verdict.problems()).containsExactly("herd.inet: test strength 66.7 % is below the goal of 98 %");
    }

    @Test
    void aMutantThatIsTheOriginalProgramIsNotCountedNorMayItBeListed() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.net.StreamSock", "recvmsg", 100, "MathMutator"),
                mutation("SURVIVED", "herd.net.StreamSock", "recvmsg", 113, "PrimitiveReturnsMutator"),
                mutation("SURVIVED", "herd.net.StreamSock", "queueRcv", 51, "BooleanFalseReturnValsMutator"),
                mutation("SURVIVED", "herd.net.StreamSock", "queueRcv", 55, "BooleanFalseReturnValsMutator"));
        Map<Integer, String> lines = Map.of(100, "        n += 1;", 113, "                return 0;",
                51, "            return false; ", 55, "            return true;");
        Function<MutationCheck.Mutant, String> source = m -> lines.get(m.line());

        MutationCheck.Verdict verdict = MutationCheck.check(mutants, Map.of(), source, 0, Set.of());
        assertThat(verdict.table()).contains("| `herd.net` | 4 | 2 | 1 | 1 | 0 | 0 | 50.0 % |");
        assertThat(verdict.problems()).containsExactly("survived, neither killed nor listed: "
                + "herd.net.StreamSock#queueRcv:55 BooleanFalseReturnValsMutator (a description)");

        Map<String, String> list = MutationCheck.equivalents(List.of(
                "herd.net.StreamSock#recvmsg:113 PrimitiveReturnsMutator | returns 0 already",
                "herd.net.StreamSock#queueRcv:55 BooleanFalseReturnValsMutator | a listed survivor"));
        assertThat(MutationCheck.check(mutants, list, source, 0, Set.of()).problems()).containsExactly("listed as "
                + "equivalent but no such mutant survives (killed, identical to the original, or the line moved): "
                + "herd.net.StreamSock#recvmsg:113 PrimitiveReturnsMutator");
    }

    @Test
    void noLineOfTheAcceptPathButToStringMayGoUntested() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.inet.TcpInput", "tcpRcvStateProcess", 30, "MathMutator"),
                mutation("NO_COVERAGE", "herd.inet.TcpInput", "tcpRcvStateProcess", 36, "BooleanTrueReturnValsMutator"),
                mutation("NO_COVERAGE", "herd.inet.TcpInput", "toString", 90, "NullReturnValsMutator"),
                mutation("NO_COVERAGE", "herd.inet.Tcp", "tcpClose", 12, "VoidMethodCallMutator"));

        assertThat(MutationCheck.check(mutants, Map.of(), SOURCE, 0, Set.of("herd.inet.TcpInput")).problems())
                .containsExactly("no test reaches herd.inet.TcpInput#tcpRcvStateProcess:36");

        Map<String, String> unreachable = MutationCheck.equivalents(List.of(
                "herd.inet.TcpInput#tcpRcvStateProcess:36 BooleanTrueReturnValsMutator | no run of the model gets there"));
        assertThat(MutationCheck.check(mutants, unreachable, SOURCE, 0, Set.of("herd.inet.TcpInput")).problems())
                .as("a line listed with the reason it cannot be reached").isEmpty();
    }

    @Test
    void anEntryWithoutAReasonIsRejected() {
        assertThatThrownBy(() -> MutationCheck.equivalents(List.of("herd.wait.Wait#finishWait:12 MathMutator")))
                .hasMessageContaining("without its reason");
        assertThatThrownBy(() -> MutationCheck.equivalents(List.of("herd.wait.Wait#f:1 MathMutator |  ")))
                .hasMessageContaining("without its reason");
    }

    @Test
    void theCommittedListIsWellFormed() throws Exception {
        Path list = IsolatedRun.root().resolve("solutions/src/test/resources/pit-equivalent-mutants.txt");
        assertThat(MutationCheck.equivalents(Files.readAllLines(list))).allSatisfy((key, reason) ->
                assertThat(key).as("an entry of " + list).matches("herd\\.[a-z]+\\.[A-Za-z$0-9]+#[^:]+:\\d+ \\w+"));
    }
}
