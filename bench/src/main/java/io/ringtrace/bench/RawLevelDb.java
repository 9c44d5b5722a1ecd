package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.text.TraceFile;
import io.ringtrace.protocol.text.TraceFormatter;
import io.ringtrace.protocol.text.TraceOptions;
import org.fusesource.leveldbjni.JniDBFactory;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The raw LevelDB JNI baselines: the library Pekko's journal uses (leveldbjni-all), with the options
 * Pekko's LevelDB store opens it with (createIfMissing, default block/compression settings) and the
 * same sync setting, without Pekko, serialization or snapshots.
 */
final class RawLevelDb {
    private RawLevelDb() {
    }

    static DB open(Path dir) throws IOException {
        return JniDBFactory.factory.open(dir.toFile(), new Options().createIfMissing(true));
    }

    private static byte[] key(long seq) {
        byte[] k = new byte[8];
        for (int i = 0; i < 8; i++) {
            k[i] = (byte) (seq >>> (56 - 8 * i));
        }
        return k;
    }

    /**
     * Writes batches of {@code batchPages} page images (cycling through {@code pages}) for
     * {@code millis}, each batch one {@code db.write} with {@code sync}. Returns bytes/s of page data.
     */
    static double batchWriteRate(Path dir, List<byte[]> pages, int batchPages, boolean sync, long millis)
            throws IOException {
        try (DB db = open(dir)) {
            WriteOptions wo = new WriteOptions().sync(sync);
            long seq = 0;
            long bytes = 0;
            long t0 = System.nanoTime();
            long end = t0 + millis * 1_000_000L;
            long t1;
            do {
                try (WriteBatch b = db.createWriteBatch()) {
                    for (int i = 0; i < batchPages; i++) {
                        byte[] p = pages.get((int) (seq % pages.size()));
                        b.put(key(seq++), p);
                        bytes += p.length;
                    }
                    db.write(b, wo);
                }
                t1 = System.nanoTime();
            } while (t1 < end);
            return bytes * 1e9 / (t1 - t0);
        }
    }

    /** Writes {@code count} page images (no sync, batches of 64) and closes the database. */
    static void fill(Path dir, List<byte[]> pages, int count) throws IOException {
        try (DB db = open(dir)) {
            WriteOptions wo = new WriteOptions().sync(false);
            int seq = 0;
            while (seq < count) {
                try (WriteBatch b = db.createWriteBatch()) {
                    for (int i = 0; i < 64 && seq < count; i++, seq++) {
                        b.put(key(seq), pages.get(seq % pages.size()));
                    }
                    db.write(b, wo);
                }
            }
        }
    }

    /** Opens the database, reads every value, closes it: the bytes read. */
    static long readAll(Path dir) throws IOException {
        long bytes = 0;
        try (DB db = open(dir); DBIterator it = db.iterator()) {
            for (it.seekToFirst(); it.hasNext(); ) {
                Map.Entry<byte[], byte[]> e = it.next();
                bytes += e.getValue().length;
            }
        }
        return bytes;
    }

    /**
     * The backup served without Pekko (a what-if of the recovery measure): opens the database of
     * {@link #fill}, reads every page image in key order (the first half CPU 0's, the rest CPU 1's),
     * restores them into the rings of a 2-CPU TraceBuffer of {@code nrPages} pages per CPU
     * (RingBuffer.restore, as the backup instance is made), and returns the first 64 KiB of its
     * trace text.
     */
    static byte[] serveFirstRead(Path dir, int nrPages) throws IOException {
        List<byte[]> pages = new ArrayList<>();
        try (DB db = open(dir); DBIterator it = db.iterator()) {
            for (it.seekToFirst(); it.hasNext(); ) {
                pages.add(it.next().getValue());
            }
        }
        Rings.Fixture fx = new Rings.Fixture(2, nrPages); // the event definitions the images were recorded with
        int half = pages.size() / 2;
        fx.buffer.cpu(0).restore(pages.subList(0, half));
        fx.buffer.cpu(1).restore(pages.subList(half, pages.size()));
        TraceFormatter f = new TraceFormatter(fx.registry, new SavedCmdlines(), TraceClock.LOCAL,
                TraceOptions.forInstance());
        return TraceFile.open(f, List.of(fx.buffer.cpu(0).snapshot(), fx.buffer.cpu(1).snapshot()),
                TraceFile.Info.of("nop", 2)).read(65536);
    }
}
