package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.PageFormat;

/**
 * The texts of {@code events/header_page} and {@code events/header_event}, which tell a reader
 * (trace-cmd) the sub-buffer header layout and the event header encoding, as a 6.18 x86-64 kernel
 * prints them.
 */
public final class EventHeaders {

    private EventHeaders() {
    }

    /** {@code events/header_page} for sub-buffers of {@code subbufSize} bytes. */
    public static String headerPage(int subbufSize) {
        return "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
                + "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
                + "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
                + "\tfield: char data;\toffset:16;\tsize:" + PageFormat.capacity(subbufSize) + ";\tsigned:0;\n";
    }

    /** {@code events/header_event}. */
    public static String headerEvent() {
        return "# compressed entry header\n"
                + "\ttype_len    :    5 bits\n"
                + "\ttime_delta  :   27 bits\n"
                + "\tarray       :   32 bits\n"
                + "\n"
                + "\tpadding     : type == 29\n"
                + "\ttime_extend : type == 30\n"
                + "\ttime_stamp : type == 31\n"
                + "\tdata max type_len  == 28\n";
    }
}
