package io.ringtrace.protocol.text;

import io.ringtrace.protocol.event.EventField;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.Markers;
import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingSnapshot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds payloads and cursors for output tests, the way the ring would hand them to a reader. */
final class Payloads {

    private Payloads() {
    }

    /** A TRACE_EVENT payload: values in field order (Long/Integer for numbers, String for strings). */
    static byte[] event(EventType t, int pid, int flags, int preempt, Object... values) {
        ByteArrayOutputStream dyn = new ByteArrayOutputStream();
        byte[] fixed = new byte[t.structSize()];
        PageFormat.putShort(fixed, 0, t.id());
        fixed[2] = (byte) flags;
        fixed[3] = (byte) preempt;
        PageFormat.putInt(fixed, 4, pid);
        List<EventField> fields = t.fields();
        for (int i = 0; i < values.length; i++) {
            EventField f = fields.get(i);
            Object v = values[i];
            switch (f.kind()) {
                case CHAR_ARRAY: {
                    byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(b, 0, fixed, f.offset(), Math.min(b.length, f.size() - 1));
                    break;
                }
                case DATA_LOC_STRING: {
                    byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                    int loc = t.structSize() + dyn.size();
                    dyn.write(b, 0, b.length);
                    dyn.write(0);
                    PageFormat.putInt(fixed, f.offset(), ((b.length + 1) << 16) | loc);
                    break;
                }
                default: {
                    long x = ((Number) v).longValue();
                    switch (f.size()) {
                        case 1:
                            fixed[f.offset()] = (byte) x;
                            break;
                        case 2:
                            PageFormat.putShort(fixed, f.offset(), (int) x);
                            break;
                        case 4:
                            PageFormat.putInt(fixed, f.offset(), (int) x);
                            break;
                        default:
                            PageFormat.putLong(fixed, f.offset(), x);
                            break;
                    }
                }
            }
        }
        byte[] d = dyn.toByteArray();
        byte[] out = Arrays.copyOf(fixed, fixed.length + d.length);
        System.arraycopy(d, 0, out, fixed.length, d.length);
        return out;
    }

    /** A trace_marker payload as Markers writes it. */
    static byte[] marker(int pid, byte[] text) {
        int cnt = Math.min(text.length, 4054);
        byte[] rec = new byte[16 + cnt + 2];
        PageFormat.putShort(rec, 0, 5);
        rec[3] = (byte) Markers.PREEMPT_COUNT;
        PageFormat.putInt(rec, 4, pid);
        PageFormat.putLong(rec, 8, Markers.MARK_IP);
        System.arraycopy(text, 0, rec, 16, cnt);
        int last = cnt > 0 ? rec[16 + cnt - 1] : 0xff;
        if (last != '\n') {
            rec[16 + cnt] = '\n';
        }
        return rec;
    }

    /** A trace_marker_raw payload. */
    static byte[] raw(int pid, byte[] idAndData) {
        byte[] rec = new byte[8 + idAndData.length];
        PageFormat.putShort(rec, 0, 19);
        rec[3] = (byte) Markers.PREEMPT_COUNT;
        PageFormat.putInt(rec, 4, pid);
        System.arraycopy(idAndData, 0, rec, 8, idAndData.length);
        return rec;
    }

    /** A cursor as a ring reader fills it: the payload length rounded up to 4 (type_len * 4). */
    static EventCursor cursor(byte[] payload, int cpu, long ts) {
        EventCursor c = new EventCursor();
        int len = (payload.length + 3) & ~3;
        c.ensureCapacity(len);
        System.arraycopy(payload, 0, c.data, 0, payload.length);
        c.offset = 0;
        c.length = len;
        c.cpu = cpu;
        c.timestamp = ts;
        return c;
    }

    /** A fixed list of events of one CPU, as a ring snapshot would hand them out. */
    static final class ListSnapshot implements RingSnapshot {
        private final List<EventCursor> events = new ArrayList<>();
        private int next;
        long overrun;

        void add(EventCursor c) {
            events.add(c);
        }

        @Override
        public boolean next(EventCursor cursor) {
            if (next >= events.size()) {
                return false;
            }
            EventCursor c = events.get(next++);
            cursor.ensureCapacity(c.length);
            System.arraycopy(c.data, c.offset, cursor.data, 0, c.length);
            cursor.offset = 0;
            cursor.length = c.length;
            cursor.cpu = c.cpu;
            cursor.timestamp = c.timestamp;
            cursor.lostEvents = c.lostEvents;
            return true;
        }

        @Override
        public long entries() {
            return events.size();
        }

        @Override
        public long overrun() {
            return overrun;
        }

        @Override
        public boolean hadOverrun() {
            return overrun > 0;
        }
    }

    /** A lost-events-aware merge input: one snapshot per CPU. */
    static List<RingSnapshot> perCpu(List<EventCursor> events, int cpus) {
        List<RingSnapshot> out = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            out.add(new ListSnapshot());
        }
        for (EventCursor c : events) {
            ((ListSnapshot) out.get(c.cpu)).add(c);
        }
        return out;
    }
}
