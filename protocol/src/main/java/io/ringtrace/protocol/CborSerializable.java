package io.ringtrace.protocol;

/**
 * Marker for every message and persisted record that crosses a serialization boundary (journal,
 * snapshot store, remoting). Bound to Pekko's {@code jackson-cbor} serializer in the persistence
 * module's reference.conf.
 */
public interface CborSerializable {
}
