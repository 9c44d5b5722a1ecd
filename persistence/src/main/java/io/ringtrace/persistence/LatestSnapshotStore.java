package io.ringtrace.persistence;

import com.typesafe.config.Config;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * A snapshot store plugin that keeps exactly one snapshot per persistence id: one file, written
 * to a temporary file (fsync'ed when configured) and moved over the previous one atomically. A
 * persistent ring buffer needs only its newest page set, and with {@code only-one-snapshot = true}
 * Pekko's retention deletes every journal entry up to it, so disk use is one snapshot plus the
 * journal tail. The kernel analogue is the reserved range itself: one image, rewritten in place.
 *
 * <p>File layout: {@code int magic, long sequenceNr, long timestamp, int serializerId,
 * UTF manifest, int length, payload}. The payload is the snapshot serialized by Pekko
 * serialization (Jackson CBOR for ringtrace records).
 *
 * <p>Threads: file work runs on the {@code io-dispatcher}; operations on one persistence id are
 * serialized by a per-id lock.
 */
public final class LatestSnapshotStore extends SnapshotStore {

    private static final int MAGIC = 0x52545331; // "RTS1"

    private final Path dir;
    private final boolean fsync;
    private final ExecutionContext io;
    private final Serialization serialization;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    /** Instantiated by Pekko with the plugin's config section. */
    public LatestSnapshotStore(Config config) throws IOException {
        this.dir = Path.of(config.getString("dir"));
        this.fsync = config.getBoolean("fsync");
        this.io = context().system().dispatchers().lookup(config.getString("io-dispatcher"));
        this.serialization = SerializationExtension.get(context().system());
        Files.createDirectories(dir);
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId,
            SnapshotSelectionCriteria criteria) {
        return Futures.future(() -> load(persistenceId, criteria), io);
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        return Futures.future(() -> {
            save(metadata, snapshot);
            return null;
        }, io);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        return Futures.future(() -> {
            deleteIf(metadata.persistenceId(), h -> h.seqNr == metadata.sequenceNr()
                    && (metadata.timestamp() == 0L || h.timestamp == metadata.timestamp()));
            return null;
        }, io);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return Futures.future(() -> {
            deleteIf(persistenceId, h -> matches(criteria, h));
            return null;
        }, io);
    }

    // ---------------------------------------------------------------- file work (io dispatcher)

    private record Header(long seqNr, long timestamp, int serializerId, String manifest, int length) {
    }

    private interface HeaderTest {
        boolean test(Header h);
    }

    private Optional<SelectedSnapshot> load(String persistenceId, SnapshotSelectionCriteria criteria)
            throws IOException {
        synchronized (lock(persistenceId)) {
            Path file = file(persistenceId);
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                Header h = readHeader(in, file);
                if (!matches(criteria, h)) {
                    return Optional.empty();
                }
                byte[] payload = new byte[h.length];
                in.readFully(payload);
                Object snapshot = serialization.deserialize(payload, h.serializerId, h.manifest).get();
                return Optional.of(SelectedSnapshot.create(
                        new SnapshotMetadata(persistenceId, h.seqNr, h.timestamp), snapshot));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }
    }

    private void save(SnapshotMetadata metadata, Object snapshot) throws IOException {
        Serializer serializer = serialization.findSerializerFor(snapshot);
        String manifest = Serializers.manifestFor(serializer, snapshot);
        byte[] payload = serializer.toBinary(snapshot);
        synchronized (lock(metadata.persistenceId())) {
            Path file = file(metadata.persistenceId());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream os = Channels.newOutputStream(ch);
                DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 16));
                out.writeInt(MAGIC);
                out.writeLong(metadata.sequenceNr());
                out.writeLong(metadata.timestamp());
                out.writeInt(serializer.identifier());
                out.writeUTF(manifest);
                out.writeInt(payload.length);
                out.write(payload);
                out.flush();
                if (fsync) {
                    ch.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (fsync) {
                syncDirectory();
            }
        }
    }

    private void deleteIf(String persistenceId, HeaderTest test) throws IOException {
        synchronized (lock(persistenceId)) {
            Path file = file(persistenceId);
            Header h;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 512))) {
                h = readHeader(in, file);
            } catch (NoSuchFileException e) {
                return;
            }
            if (test.test(h)) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static Header readHeader(DataInputStream in, Path file) throws IOException {
        try {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a ringtrace snapshot file: " + file);
            }
            return new Header(in.readLong(), in.readLong(), in.readInt(), in.readUTF(), in.readInt());
        } catch (EOFException e) {
            throw new IOException("truncated snapshot file: " + file, e);
        }
    }

    private static boolean matches(SnapshotSelectionCriteria c, Header h) {
        return h.seqNr <= c.maxSequenceNr() && h.timestamp <= c.maxTimestamp()
                && h.seqNr >= c.minSequenceNr() && h.timestamp >= c.minTimestamp();
    }

    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open or sync a directory; the rename itself is atomic
        }
    }

    private Object lock(String persistenceId) {
        return locks.computeIfAbsent(persistenceId, k -> new Object());
    }

    private Path file(String persistenceId) {
        return fileFor(dir, persistenceId);
    }

    /**
     * The snapshot file of {@code persistenceId} in {@code dir}: {@code snapshot-<url-encoded id>},
     * or a SHA-256 of the id when that would be too long.
     */
    static Path fileFor(Path dir, String persistenceId) {
        String name = URLEncoder.encode(persistenceId, StandardCharsets.UTF_8);
        if (name.length() > 200) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(persistenceId.getBytes(StandardCharsets.UTF_8));
                name = HexFormat.of().formatHex(d);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return dir.resolve("snapshot-" + name);
    }
}
