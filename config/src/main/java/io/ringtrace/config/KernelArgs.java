package io.ringtrace.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's command-line tokeniser ({@code parse_args} / {@code next_arg} in kernel/params.c),
 * on a Java string. Parameters are separated by blanks; double quotes group blanks into one
 * parameter, either around the whole {@code "param=value"} or around the value
 * ({@code param="value"}); the quotes are removed the way the kernel removes them, no more. The
 * first {@code =} not at position 0 separates name from value. A bare {@code --} ends the kernel's
 * part: everything after it belongs to init.
 *
 * <p>Linear in the length of the input; never throws. Blanks are the C locale's
 * {@code isspace}: space, TAB, LF, VT, FF, CR.
 */
final class KernelArgs {

    /** One parameter: {@code value} is null when there was no {@code =}. */
    record Param(String name, String value) {

        /** The parameter as the kernel's {@code __setup} matching sees it: {@code name=value}. */
        String line() {
            return value == null ? name : name + "=" + value;
        }
    }

    /** Parameters before {@code --}, and the words after it (passed to init). */
    record Split(List<Param> params, List<String> afterDashes) {
    }

    private KernelArgs() {
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    static Split split(String args) {
        List<Param> params = new ArrayList<>();
        List<String> after = new ArrayList<>();
        int n = args.length();
        int pos = skipSpaces(args, 0);
        while (pos < n) {
            int start = pos;
            boolean inQuote = false;
            boolean quoted = false;
            if (args.charAt(start) == '"') {
                start++;
                inQuote = true;
                quoted = true;
            }
            int equals = 0;
            int i = 0;
            for (; start + i < n; i++) {
                char c = args.charAt(start + i);
                if (isSpace(c) && !inQuote) {
                    break;
                }
                if (equals == 0 && c == '=') {
                    equals = i;
                }
                if (c == '"') {
                    inQuote = !inQuote;
                }
            }
            int tokenEnd = start + i; // exclusive
            // "if (quoted && i > 0 && args[i-1] == '"') args[i-1] = '\0'"; the value rule below
            // may already have cut the same quote, which changes nothing.
            int cut = tokenEnd;
            String name;
            String value;
            if (equals == 0) {
                if (quoted && i > 0 && args.charAt(tokenEnd - 1) == '"') {
                    cut = tokenEnd - 1;
                }
                name = args.substring(start, cut);
                value = null;
            } else {
                name = args.substring(start, start + equals);
                int valStart = start + equals + 1;
                boolean valQuoted = valStart < tokenEnd && args.charAt(valStart) == '"';
                if (valQuoted) {
                    valStart++;
                }
                if ((valQuoted || quoted) && args.charAt(tokenEnd - 1) == '"'
                        && tokenEnd - 1 >= valStart) {
                    cut = tokenEnd - 1;
                }
                value = args.substring(valStart, Math.max(valStart, cut));
            }
            pos = tokenEnd < n ? tokenEnd + 1 : tokenEnd;
            pos = skipSpaces(args, pos);
            if (value == null && name.equals("--")) {
                while (pos < n) {
                    int e = pos;
                    while (e < n && !isSpace(args.charAt(e))) {
                        e++;
                    }
                    after.add(args.substring(pos, e));
                    pos = skipSpaces(args, e);
                }
                break;
            }
            params.add(new Param(name, value));
        }
        return new Split(List.copyOf(params), List.copyOf(after));
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
