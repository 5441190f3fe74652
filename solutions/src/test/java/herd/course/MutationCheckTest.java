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

    private static String mutation(String status, String clazz, String method, int line, String mutator) {
        return "<mutation detected='" + !status.equals("SURVIVED") + "' status='" + status + "' numberOfTestsRun='1'>"
                + "<sourceFile>X.java</sourceFile><mutatedClass>" + clazz + "</mutatedClass><mutatedMethod>" + method
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

        MutationCheck.Verdict unlisted = MutationCheck.check(mutants, Map.of(), 0);
        assertThat(unlisted.problems()).containsExactly("survived, neither killed nor listed: "
                + "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator (a description)");

        MutationCheck.Verdict listed = MutationCheck.check(mutants,
                MutationCheck.equivalents(List.of("# comment", "",
                        "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator | the bound is never reached")), 0);
        assertThat(listed.problems()).isEmpty();
        assertThat(listed.table()).contains("| `herd.wait` | 2 | 1 | 0 | 1 | 0 | 50.0 % |");
    }

    @Test
    void aListedMutantThatNoLongerSurvivesFailsSoTheListStaysTrue() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.wait.Wait", "finishWait", 12, "ConditionalsBoundaryMutator"));
        Map<String, String> list = MutationCheck.equivalents(List.of(
                "herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator | equivalent once",
                "herd.epoll.Epoll#epollCreate1:3 MathMutator | a class this run did not mutate"));

        assertThat(MutationCheck.check(mutants, list, 0).problems()).containsExactly("listed as equivalent but no such "
                + "mutant survives (killed, or the line moved): herd.wait.Wait#finishWait:12 ConditionalsBoundaryMutator");
    }

    @Test
    void theGoalCountsListedMutantsAsSurvivorsAndIgnoresUncoveredOnes() throws Exception {
        List<MutationCheck.Mutant> mutants = report(
                mutation("KILLED", "herd.inet.Tcp", "a", 1, "MathMutator"),
                mutation("TIMED_OUT", "herd.inet.Tcp", "a", 2, "MathMutator"),
                mutation("NO_COVERAGE", "herd.inet.Tcp", "toString", 3, "NullReturnValsMutator"),
                mutation("SURVIVED", "herd.inet.Tcp", "a", 4, "MathMutator"));
        Map<String, String> list = MutationCheck.equivalents(List.of("herd.inet.Tcp#a:4 MathMutator | same result"));

        MutationCheck.Verdict verdict = MutationCheck.check(mutants, list, 98);
        assertThat(verdict.rows()).singleElement().satisfies(r -> assertThat(r.strength()).isCloseTo(66.7, offset(0.1)));
        assertThat(verdict.problems()).containsExactly("herd.inet: test strength 66.7 % is below the goal of 98 %");
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
