package io.ringtrace.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.journal.leveldb.Key;
import org.apache.pekko.persistence.journal.leveldb.LeveldbCompaction;
import org.apache.pekko.persistence.journal.leveldb.LeveldbJournal;
import org.apache.pekko.dispatch.Futures;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Function1;
import scala.PartialFunction;
import scala.concurrent.Future;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * Pekko's LevelDB journal with two changes:
 * <ul>
 *   <li>Compactions run on a thread of their own instead of inside the journal actor, so the
 *       writes of every persistent buffer go on meanwhile: the ones {@link PersistentCpuBuffer}
 *       asks for ({@link CompactRange}, after it has deleted enough of its entries) and the stock
 *       ones after a delete ({@code compaction-intervals}; {@link JournalSetup} turns them off).
 *       One compaction runs at a time: when the next one is due before the previous one has
 *       finished, the journal waits for it, so what the compactions have not cleaned yet stays
 *       bounded by what is written between two of them even when the disk is slower than the
 *       writers. The database is closed only after the running compaction has finished.</li>
 *   <li>A delete ({@code DeleteMessagesTo}) starts where the previous delete of the same
 *       persistence id ended, instead of seeking the first entry left (which steps over every
 *       deleted entry not compacted yet, big page images included), and is written without
 *       {@code fsync}: a delete lost in a crash only leaves entries that the next recovery replays
 *       and finds superseded (the next synchronous write makes it durable anyway).</li>
 * </ul>
 * LevelDB's informational log is discarded unless {@code leveldb-log = file} (see
 * {@link #prepareInfoLog}). It is not routed to a Java logger: LevelDB JNI would call that logger
 * from LevelDB's native background thread, which the call attaches to the JVM as a non-daemon
 * thread that never ends, so an embedder's JVM would no longer exit when its main returns
 * (JournalExitTest).
 *
 * <p>Everything else (format, keys, settings under {@code pekko.persistence.journal.leveldb}) is the
 * stock journal, so a journal directory written by either can be read by the other.
 */
@SuppressWarnings("deprecation") // LeveldbJournal is deprecated upstream; it is still the embedded journal
public final class QuietLeveldbJournal extends LeveldbJournal {

    private static final Logger LOG = LoggerFactory.getLogger(QuietLeveldbJournal.class);

    private final ExecutorService compactor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ringtrace-leveldb-compaction");
        t.setDaemon(true);
        return t;
    });
    /** Guards {@link #compacting}. */
    private final Object compactionLock = new Object();
    /** A compaction is running on the compaction thread. */
    private boolean compacting;
    /** Journal actor only: numeric id → every entry up to this sequence number is deleted. */
    private final Map<Integer, Long> deletedTo = new HashMap<>();
    private static final WriteOptions NO_SYNC = new WriteOptions().sync(false);

    /** {@code leveldb-log = file}: LevelDB writes its informational log to LOG as usual. */
    private final boolean keepInfoLog;

    /** Instantiated by Pekko with the plugin's config section. */
    public QuietLeveldbJournal(Config config) {
        super(config);
        this.keepInfoLog = config.hasPath("leveldb-log") && config.getString("leveldb-log").equals("file");
    }

    @Override
    public void preStart() {
        try {
            prepareInfoLog(leveldbDir().toPath(), keepInfoLog);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare LevelDB's LOG in " + leveldbDir(), e);
        }
        super.preStart();
    }

    /**
     * Before LevelDB opens {@code dir}: unless {@code keep}, makes {@code LOG} a symbolic link to
     * {@code /dev/null} and {@code LOG.old} an empty directory. At every open LevelDB renames
     * {@code LOG} to {@code LOG.old} (ignoring a failure) and opens {@code LOG} for writing; the
     * rename of a file onto a directory fails (EISDIR), so the link stays and the log is
     * discarded. With {@code keep}, a link and a directory left by an earlier run are removed and
     * LevelDB writes its usual text file. The database itself is untouched either way.
     */
    static void prepareInfoLog(Path dir, boolean keep) throws IOException {
        Files.createDirectories(dir);
        Path log = dir.resolve("LOG");
        Path old = dir.resolve("LOG.old");
        boolean linked = Files.isSymbolicLink(log);
        boolean oldDir = Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS);
        if (keep) {
            if (linked) {
                Files.delete(log);
            }
            if (oldDir) {
                try {
                    Files.delete(old);
                } catch (DirectoryNotEmptyException e) {
                    // not the empty directory this method makes: left as it is
                }
            }
            return;
        }
        if (!linked) {
            Files.deleteIfExists(log);
            Files.createSymbolicLink(log, Path.of("/dev/null"));
        }
        if (!oldDir) {
            Files.deleteIfExists(old);
            Files.createDirectory(old);
        }
    }

    /**
     * Asks the journal to compact the key range of {@code persistenceId} up to
     * {@code toSequenceNr} (entries deleted before) on the compaction thread. Sent by
     * {@link PersistentCpuBuffer}, which knows how many page images it has deleted.
     */
    public record CompactRange(String persistenceId, long toSequenceNr) {
    }

    @Override
    public PartialFunction<Object, BoxedUnit> receiveCompactionInternal() {
        return new AbstractPartialFunction<>() {
            @Override
            public boolean isDefinedAt(Object message) {
                return message instanceof LeveldbCompaction.TryCompactLeveldb || message instanceof CompactRange;
            }

            @Override
            public <A1, B1> B1 applyOrElse(A1 message, Function1<A1, B1> otherwise) {
                if (message instanceof LeveldbCompaction.TryCompactLeveldb t) {
                    tryCompact(t.persistenceId(), t.toSeqNr());
                } else if (message instanceof CompactRange c) {
                    compactAsync(numericId(c.persistenceId()), c.toSequenceNr());
                } else {
                    return otherwise.apply(message);
                }
                @SuppressWarnings("unchecked")
                B1 unit = (B1) BoxedUnit.UNIT;
                return unit;
            }
        };
    }

    @Override
    public Future<BoxedUnit> asyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        try {
            int nid = numericId(persistenceId);
            long highest = readHighestSequenceNr(nid);
            Long known = deletedTo.get(nid);
            long from = known != null ? known + 1 : firstEntry(nid, highest);
            long to = Math.min(toSequenceNr, highest);
            if (from <= to) {
                try (WriteBatch batch = leveldb().createWriteBatch()) {
                    for (long seqNr = from; seqNr <= to; seqNr++) {
                        batch.delete(key(nid, seqNr));
                    }
                    leveldb().write(batch, NO_SYNC);
                }
                self().tell(new LeveldbCompaction.TryCompactLeveldb(persistenceId, to), self());
            }
            deletedTo.put(nid, Math.max(from - 1, Math.max(to, known == null ? 0 : known)));
            return Futures.successful(BoxedUnit.UNIT);
        } catch (RuntimeException | java.io.IOException e) {
            return Futures.failed(e);
        }
    }

    /** The sequence number of the first entry of {@code nid} left, or {@code highest + 1} when none. */
    private long firstEntry(int nid, long highest) {
        try (DBIterator it = leveldb().iterator(leveldbReadOptions())) {
            it.seek(key(nid, 1));
            if (it.hasNext()) {
                Key k = Key.keyFromBytes(it.peekNext().getKey());
                if (k.persistenceId() == nid && k.mappingId() == 0) {
                    return k.sequenceNr();
                }
            }
            return highest + 1;
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Journal actor thread: after a delete, decides as the stock journal does ({@code compaction-intervals}). */
    private void tryCompact(String persistenceId, long toSeqNr) {
        if (!mustCompact(persistenceId, toSeqNr)) {
            return;
        }
        long limit = compactionLimit(persistenceId, toSeqNr);
        updateCompactionSegment(persistenceId, compactionSegment(persistenceId, limit));
        compactAsync(numericId(persistenceId), limit);
    }

    /** Journal actor thread: starts a compaction on the compaction thread once the previous one has finished. */
    private void compactAsync(int nid, long limit) {
        synchronized (compactionLock) {
            boolean interrupted = false;
            while (compacting) {
                try {
                    compactionLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            compacting = true;
        }
        compactor.execute(() -> compact(nid, limit));
    }

    /** Compaction thread. */
    private void compact(int nid, long limit) {
        long t0 = System.nanoTime();
        try {
            leveldb().compactRange(key(nid, 0), key(nid, limit));
            LOG.debug("compacted journal id {} up to {} in {} ms", nid, limit, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("compaction of journal id {} up to {} failed", nid, limit, e);
        } finally {
            synchronized (compactionLock) {
                compacting = false;
                compactionLock.notifyAll();
            }
        }
    }

    private static byte[] key(int nid, long seqNr) {
        return Key.keyToBytes(new Key(nid, seqNr, 0));
    }

    @Override
    public void postStop() {
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("a LevelDB compaction is still running; closing the journal anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        super.postStop();
    }
}
