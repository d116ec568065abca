#!/usr/bin/env python3
"""A real Kafka-protocol broker for tests: librdkafka's mock cluster (Debian `librdkafka1`).

Prints `BOOTSTRAP 127.0.0.1:<port>` on stdout once listening, then reads commands from stdin,
one per line, answering `OK` or `ERR <message>`:

    topic <name> <partitions>     create a topic through the mock's C API (kafkajs' createTopics
                                  fails against the mock: it reports controller id 0)

The cluster lives until stdin closes (the test process ended or closed the pipe).
Usage: mock-broker.py [brokers]   (default 1)
"""
import ctypes
import ctypes.util
import sys


def load():
    for name in ("librdkafka.so.1", ctypes.util.find_library("rdkafka")):
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            pass
    sys.stderr.write("librdkafka not found: run tools/kafka/install.sh (apt-get install librdkafka1)\n")
    sys.exit(3)


def main():
    brokers = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    lib = load()
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    lib.rd_kafka_mock_topic_create.restype = ctypes.c_int
    lib.rd_kafka_mock_topic_create.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.rd_kafka_err2str.restype = ctypes.c_char_p
    lib.rd_kafka_err2str.argtypes = [ctypes.c_int]

    errstr = ctypes.create_string_buffer(512)
    conf = lib.rd_kafka_conf_new()
    # silence librdkafka's own logging of the idle producer handle that hosts the cluster
    lib.rd_kafka_conf_set(conf, b"log_level", b"0", errstr, 512)
    rk = lib.rd_kafka_new(0, conf, errstr, 512)  # RD_KAFKA_PRODUCER
    if not rk:
        sys.stderr.write("rd_kafka_new failed: %s\n" % errstr.value.decode())
        sys.exit(4)
    mc = lib.rd_kafka_mock_cluster_new(rk, brokers)
    if not mc:
        sys.stderr.write("rd_kafka_mock_cluster_new failed\n")
        sys.exit(5)
    sys.stdout.write("BOOTSTRAP %s\n" % lib.rd_kafka_mock_cluster_bootstraps(mc).decode())
    sys.stdout.flush()

    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "topic" and len(parts) == 3 and parts[2].isdigit():
            err = lib.rd_kafka_mock_topic_create(mc, parts[1].encode(), int(parts[2]), 1)
            reply = "OK" if err == 0 else "ERR %s" % lib.rd_kafka_err2str(err).decode()
        else:
            reply = "ERR unknown command %r" % line.strip()
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()
    # stdin closed: exit without tearing the cluster down (the process ends, sockets close)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
