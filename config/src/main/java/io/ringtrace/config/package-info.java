/**
 * Configuration of ringtrace: the boot command line in the kernel's grammar
 * ({@link io.ringtrace.config.BootCommandLine}, resolved into a {@link io.ringtrace.config.BootPlan})
 * and the typed {@code ringtrace { }} settings ({@link io.ringtrace.config.RingtraceSettings}).
 * Everything here is immutable and thread-safe; nothing here logs by itself.
 */
package io.ringtrace.config;
