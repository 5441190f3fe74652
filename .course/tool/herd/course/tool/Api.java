package herd.course.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * What other code is compiled against: each type's non-private members, their signatures
 * and constant values (which javac copies into the code that reads them). Two compilations
 * with the same API need not recompile the code that depends on them; a change to a
 * method's body, a private member or a comment leaves the API unchanged.
 */
final class Api {
    private Api() {
    }

    /** The API of the types javac analysed, in a stable order. */
    static String of(Iterable<? extends Element> analysed) {
        Set<String> lines = new TreeSet<>();
        for (Element e : analysed) {
            if (e instanceof TypeElement type) {
                describe(type, lines);
            }
        }
        return String.join("\n", lines);
    }

    private static void describe(TypeElement type, Set<String> lines) {
        String name = type.getQualifiedName().toString();
        lines.add(name + " " + type.getKind() + " " + type.getModifiers() + " " + type.getTypeParameters()
                + " extends " + type.getSuperclass() + " implements " + type.getInterfaces());
        for (Element member : type.getEnclosedElements()) {
            if (member.getModifiers().contains(Modifier.PRIVATE)) {
                continue;
            }
            if (member instanceof TypeElement nested) {
                describe(nested, lines);
                continue;
            }
            List<String> words = new ArrayList<>(List.of(name, member.getKind().toString(),
                    member.getModifiers().toString(), member.getSimpleName().toString(), member.asType().toString()));
            if (member.getKind() == ElementKind.FIELD && member instanceof VariableElement field
                    && field.getConstantValue() != null) {
                words.add("= " + field.getConstantValue());
            }
            lines.add(String.join(" ", words));
        }
    }
}
