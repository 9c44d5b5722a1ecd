package io.ringtrace.protocol.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test access to the kernel ground truth under {@code src/test/resources/golden/}: the oracle's
 * {@code golden-kernel-6.18.json} and {@code live-kernel-6.18-probes.json} (more probes of a live
 * 6.18 kernel made while writing this package). A minimal JSON reader; values are Map, List,
 * String, Double, Boolean or null.
 */
public final class Golden {

    private static Map<String, Object> golden;
    private static Map<String, Object> live;

    private Golden() {
    }

    public static synchronized Map<String, Object> golden() {
        if (golden == null) {
            golden = load("/golden/golden-kernel-6.18.json");
        }
        return golden;
    }

    public static synchronized Map<String, Object> live() {
        if (live == null) {
            live = load("/golden/live-kernel-6.18-probes.json");
        }
        return live;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String res) {
        try (InputStream in = Golden.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + res);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return (Map<String, Object>) new Golden.Parser(text).value();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Follows a path of map keys and list indexes. */
    @SuppressWarnings("unchecked")
    public static Object at(Object root, Object... path) {
        Object cur = root;
        for (Object p : path) {
            if (p instanceof Integer) {
                cur = ((List<Object>) cur).get((Integer) p);
            } else {
                cur = ((Map<String, Object>) cur).get((String) p);
            }
        }
        return cur;
    }

    public static String str(Object root, Object... path) {
        return (String) at(root, path);
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object root, Object... path) {
        return (List<Object>) at(root, path);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object root, Object... path) {
        return (Map<String, Object>) at(root, path);
    }

    static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    i += 4;
                    return Boolean.TRUE;
                case 'f':
                    i += 5;
                    return Boolean.FALSE;
                case 'n':
                    i += 4;
                    return null;
                default:
                    return number();
            }
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (s.charAt(i) == '}') {
                i++;
                return m;
            }
            while (true) {
                ws();
                String k = string();
                ws();
                i++; // :
                m.put(k, value());
                ws();
                if (s.charAt(i++) == '}') {
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (s.charAt(i) == ']') {
                i++;
                return l;
            }
            while (true) {
                l.add(value());
                ws();
                if (s.charAt(i++) == ']') {
                    return l;
                }
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            i++;
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n':
                            sb.append('\n');
                            break;
                        case 't':
                            sb.append('\t');
                            break;
                        case 'r':
                            sb.append('\r');
                            break;
                        case 'b':
                            sb.append('\b');
                            break;
                        case 'f':
                            sb.append('\f');
                            break;
                        case 'u':
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                            break;
                        default:
                            sb.append(e);
                            break;
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        private Object number() {
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Double.parseDouble(s.substring(st, i));
        }
    }
}
