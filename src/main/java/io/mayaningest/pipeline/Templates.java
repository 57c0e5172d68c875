package io.mayaningest.pipeline;

import io.mayaningest.core.IngestException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mapping templates: literal text with {@code {name}} placeholders (named groups of the file-name
 * pattern, {@code {file.name}}, {@code {file.basename}}, {@code {file.parent}}). A placeholder that
 * has no value is an error rather than an empty string, so a typo never lands in Mayan silently.
 */
public final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.\\-]+)}");

    private Templates() {
    }

    public static String render(String template, Map<String, String> values, String where) {
        if (template == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = values.get(name);
            if (value == null) {
                throw IngestException.permanent(
                        where + " uses {" + name + "}, which has no value for this item (known: "
                                + String.join(", ", values.keySet().stream().sorted().toList()) + ")",
                        "use one of the known placeholders, or add a named group (?<" + name
                                + ">...) to the source's filename-pattern");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
