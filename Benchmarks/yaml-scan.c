/*
 * yaml-scan: the bare libyaml baseline for tresor's benchmarks.
 *
 * For every file argument (directories are searched recursively for *.yaml
 * and *.yml), read the whole file into memory, then run libyaml's event
 * parser over it until YAML_STREAM_END_EVENT, counting events. Nothing is
 * built from the events: this is the floor any YAML-based validator pays.
 *
 * Build:  cc -O2 -o yaml-scan yaml-scan.c -lyaml
 * Usage:  yaml-scan PATH...
 * Output: parser errors on stderr as FILE:LINE:COL: problem (context);
 *         a summary line on stdout. Exit 0 if all files parsed, 1 if any
 *         file failed to read or parse, 64 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yaml.h>

static unsigned long long total_events, total_bytes, total_docs;
static unsigned long files, failed;

static int has_yaml_ext(const char *name) {
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) { fclose(f); return NULL; }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size : 4096, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) { fclose(f); return NULL; }
    for (;;) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) {
            if (ferror(f)) { free(buf); fclose(f); return NULL; }
            break;
        }
        unsigned char *nb = realloc(buf, cap * 2 + 1); /* file grew while reading */
        if (!nb) { free(buf); fclose(f); return NULL; }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void scan_file(const char *path) {
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    files++;
    if (!buf) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        failed++;
        return;
    }
    total_bytes += len;

    yaml_parser_t parser;
    yaml_event_t event;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "%s: yaml_parser_initialize failed\n", path);
        failed++;
        free(buf);
        return;
    }
    yaml_parser_set_input_string(&parser, buf, len);
    unsigned long long events = 0;
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%zu:%zu: error: %s", path, parser.problem_mark.line + 1,
                    parser.problem_mark.column + 1, parser.problem ? parser.problem : "parse error");
            if (parser.context)
                fprintf(stderr, " (%s at %zu:%zu)", parser.context, parser.context_mark.line + 1,
                        parser.context_mark.column + 1);
            fputc('\n', stderr);
            failed++;
            break;
        }
        events++;
        yaml_event_type_t type = event.type;
        if (type == YAML_DOCUMENT_START_EVENT) total_docs++;
        yaml_event_delete(&event);
        if (type == YAML_STREAM_END_EVENT) break;
    }
    total_events += events;
    yaml_parser_delete(&parser);
    free(buf);
}

static void scan_path(const char *path, int top) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        failed++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **list;
        int n = scandir(path, &list, NULL, alphasort);
        if (n < 0) {
            fprintf(stderr, "%s: %s\n", path, strerror(errno));
            failed++;
            return;
        }
        for (int i = 0; i < n; i++) {
            const char *name = list[i]->d_name;
            if (name[0] != '.') { /* skips ., .. and hidden entries */
                size_t need = strlen(path) + strlen(name) + 2;
                char *child = malloc(need);
                snprintf(child, need, "%s/%s", path, name);
                struct stat cst;
                if (stat(child, &cst) == 0 && (S_ISDIR(cst.st_mode) || has_yaml_ext(name)))
                    scan_path(child, 0);
                free(child);
            }
            free(list[i]);
        }
        free(list);
    } else if (top || has_yaml_ext(path)) {
        scan_file(path);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH...\n", argv[0]);
        return 64;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 1; i < argc; i++) scan_path(argv[i], 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("yaml-scan: %lu files, %llu documents, %llu events, %llu bytes, %.3f s (%.1f MB/s)%s\n",
           files, total_docs, total_events, total_bytes, secs,
           secs > 0 ? total_bytes / 1e6 / secs : 0.0, failed ? ", with errors" : "");
    return failed ? 1 : 0;
}
