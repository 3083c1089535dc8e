/*
 * The course maths' compiled loops: smoothing, the altimeter spike filter, heading and lateral
 * acceleration, turn candidates and the hysteresis climb.
 *
 * hipstride.track._kernels is called by hipstride/track/smoothing.py, course.py and turns.py,
 * which document each method (and _kernels.pyi gives the signatures); a recorded run and a
 * planned route both go through them, so they are scored by the same code. Each function reads
 * float64 (and int64) buffers and writes into output buffers the caller allocated; every length
 * is checked first, and a mismatch is a ValueError. The loops hold no Python object and run
 * without the GIL.
 *
 * The numbers are NumPy's: the same formulas in the same order (np.gradient, np.unwrap,
 * np.interp, np.nan_to_num), so that results agree with the array code they replace to the last
 * bits or within a rounding of the math library.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- helpers ------------------------------------------------------------------------------ */

/* np.nan_to_num: NaN → 0, ±inf → ±DBL_MAX */
static inline double nan_to_num(double v)
{
    if (isnan(v))
        return 0.0;
    if (isinf(v))
        return v > 0 ? DBL_MAX : -DBL_MAX;
    return v;
}

/* Fill non-finite samples by linear interpolation along the sample index (np.interp), holding
 * the ends; a series without a finite sample is copied unchanged. in and out may alias. */
static void fill_nans(const double *in, double *out, Py_ssize_t n)
{
    Py_ssize_t prev = -1;
    if (out != in)
        memcpy(out, in, (size_t)n * sizeof(double));
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!isfinite(out[i]))
            continue;
        if (prev < 0) {
            for (Py_ssize_t j = 0; j < i; j++)
                out[j] = out[i];
        } else if (i - prev > 1) {
            double slope = (out[i] - out[prev]) / (double)(i - prev);
            for (Py_ssize_t j = prev + 1; j < i; j++)
                out[j] = slope * (double)(j - prev) + out[prev];
        }
        prev = i;
    }
    if (prev >= 0)
        for (Py_ssize_t j = prev + 1; j < n; j++)
            out[j] = out[prev];
}

/* np.gradient with a scalar spacing: central differences inside, one-sided at the ends (n ≥ 2) */
static void gradient(const double *f, double *out, Py_ssize_t n, double spacing)
{
    for (Py_ssize_t i = 1; i < n - 1; i++)
        out[i] = (f[i + 1] - f[i - 1]) / (2.0 * spacing);
    out[0] = (f[1] - f[0]) / spacing;
    out[n - 1] = (f[n - 1] - f[n - 2]) / spacing;
}

/* np.mod for doubles (the result takes the divisor's sign) */
static inline double py_mod(double a, double b)
{
    double m = fmod(a, b);
    if (m != 0.0) {
        if ((b < 0) != (m < 0))
            m += b;
    } else {
        m = copysign(0.0, b);
    }
    return m;
}

/* np.unwrap with the default period 2π, in place */
static void unwrap(double *p, Py_ssize_t n)
{
    double correction = 0.0, before = n > 0 ? p[0] : 0.0;
    for (Py_ssize_t i = 1; i < n; i++) {
        double dd = p[i] - before;
        if (!(fabs(dd) < M_PI)) {          /* a jump of π or more (or NaN): wrap it back */
            double ddmod = py_mod(dd + M_PI, 2.0 * M_PI) - M_PI;
            if (ddmod == -M_PI && dd > 0)
                ddmod = M_PI;
            correction += ddmod - dd;
        }
        before = p[i];
        p[i] = p[i] + correction;
    }
}

/* Normalised Gaussian smoothing ignoring non-finite samples, which stay NaN; sigma in samples.
 * Returns -1 (with MemoryError set; the GIL must be held) when the kernel cannot be made. */
static int smooth(const double *in, double *out, Py_ssize_t n, double sigma)
{
    if (!(sigma > 0) || n < 3) {
        memmove(out, in, (size_t)n * sizeof(double));
        return 0;
    }
    double reach = ceil(3.0 * sigma);
    Py_ssize_t half = reach < 1.0 ? 1 : (reach > (double)n ? n : (Py_ssize_t)reach);
    /* one block: the kernel (2h+1 taps), the values with 0 where not finite, 1/0 validity and
     * the weights summed at each sample */
    Py_ssize_t taps = 2 * half + 1;
    double *kernel = PyMem_Malloc((size_t)(taps + 3 * n) * sizeof(double));
    if (kernel == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    double *filled = kernel + taps, *valid = filled + n, *den = valid + n;
    for (Py_ssize_t k = 0; k <= half; k++) {
        double z = (double)k / sigma;
        kernel[half + k] = kernel[half - k] = exp(-0.5 * (z * z));
    }
    int all = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        int ok = isfinite(in[i]) != 0;
        filled[i] = ok ? in[i] : 0.0;
        valid[i] = ok ? 1.0 : 0.0;
        all &= ok;
    }
    /* tap by tap over every sample (the same sums, in the same order, as sample by sample over
     * its window, but in loops the compiler can vectorise); out holds the weighted sums */
    for (Py_ssize_t i = 0; i < n; i++) {
        out[i] = 0.0;
        den[i] = 0.0;
    }
    for (Py_ssize_t t = 0; t < taps; t++) {
        Py_ssize_t k = t - half;
        Py_ssize_t lo = k < 0 ? -k : 0, hi = k > 0 ? n - k : n;
        double w = kernel[t];
        double *restrict sum = out, *restrict weight = den;
        const double *restrict x = filled + k, *restrict v = valid + k;
        for (Py_ssize_t i = lo; i < hi; i++)
            sum[i] += x[i] * w;
        if (!all)
            for (Py_ssize_t i = lo; i < hi; i++)
                weight[i] += v[i] * w;
    }
    if (all) {       /* every sample valid: the weights of the taps that fall inside the series */
        double inside = 0.0;
        for (Py_ssize_t t = 0; t < taps; t++)
            inside += kernel[t];
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i >= half && i < n - half) {
                den[i] = inside;
                continue;
            }
            for (Py_ssize_t t = 0; t < taps; t++) {
                Py_ssize_t j = i + t - half;
                if (j >= 0 && j < n)
                    den[i] += kernel[t];
            }
        }
    }
    for (Py_ssize_t i = 0; i < n; i++)
        out[i] = valid[i] != 0.0 ? out[i] / den[i] : NAN;
    PyMem_Free(kernel);
    return 0;
}

/* The median of v[0..count) (the mean of the middle two for an even count; NaN when empty),
 * sorting v in place: an insertion sort, for the few values of a window. */
static double median_of(double *v, Py_ssize_t count)
{
    for (Py_ssize_t a = 1; a < count; a++) {
        double key = v[a];
        Py_ssize_t c = a - 1;
        while (c >= 0 && v[c] > key) {
            v[c + 1] = v[c];
            c--;
        }
        v[c + 1] = key;
    }
    return count ? (v[(count - 1) / 2] + v[count / 2]) / 2.0 : NAN;
}

/* ---- argument checks ---------------------------------------------------------------------- */

static int check_len(const Py_buffer *b, Py_ssize_t items, Py_ssize_t itemsize, const char *name)
{
    if (b->len != items * itemsize) {
        PyErr_Format(PyExc_ValueError, "%s holds %zd bytes, expected %zd", name, b->len,
                     items * itemsize);
        return -1;
    }
    return 0;
}

static void release(Py_buffer *b, int count)
{
    for (int i = 0; i < count; i++)
        if (b[i].obj != NULL)
            PyBuffer_Release(&b[i]);
}

/* ---- smooth(values, sigma, out) ----------------------------------------------------------- */

static PyObject *py_smooth(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[2];
    double sigma;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*dw*", &b[0], &sigma, &b[1]))
        return NULL;
    Py_ssize_t n = b[0].len / 8;
    PyObject *result = NULL;
    if (check_len(&b[0], n, 8, "values") == 0 && check_len(&b[1], n, 8, "out") == 0
        && smooth(b[0].buf, b[1].buf, n, sigma) == 0)
        result = Py_NewRef(Py_None);
    release(b, 2);
    return result;
}

/* The smallest (want_max 0) or largest value of `a` in each window [i - half, i + half],
 * clipped to the series and leaving NaN out (±inf where a window holds no value): van Herk and
 * Gil-Werman's three passes over blocks of one window's width. g and h hold n + 2 half each. */
static void window_extreme(const double *a, Py_ssize_t n, Py_ssize_t half, int want_max,
                           double *out, double *g, double *h)
{
    Py_ssize_t width = 2 * half + 1, len = n + 2 * half;
    double fill = want_max ? -INFINITY : INFINITY;
    double *restrict e = h;                  /* the padded series first, in h */
    for (Py_ssize_t p = 0; p < half; p++)
        e[p] = e[len - 1 - p] = fill;
    for (Py_ssize_t i = 0; i < n; i++)
        e[half + i] = isnan(a[i]) ? fill : a[i];
    for (Py_ssize_t p = 0; p < len; p++) {   /* the extreme so far within each block */
        double v = e[p];
        if (p % width != 0) {
            double before = g[p - 1];
            v = want_max ? (before > v ? before : v) : (before < v ? before : v);
        }
        g[p] = v;
    }
    for (Py_ssize_t p = len - 2; p >= 0; p--) {   /* and from each sample to its block's end */
        if (p % width != width - 1) {
            double after = h[p + 1], v = h[p];
            h[p] = want_max ? (after > v ? after : v) : (after < v ? after : v);
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = h[i], y = g[i + width - 1];
        out[i] = want_max ? (x > y ? x : y) : (x < y ? x : y);
    }
}

/* ---- despike(values, half_window, threshold, out) -> dropped ------------------------------ */

static PyObject *py_despike(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[2];
    Py_ssize_t half;
    double threshold;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*ndw*", &b[0], &half, &threshold, &b[1]))
        return NULL;
    Py_ssize_t n = b[0].len / 8, dropped = 0;
    if (check_len(&b[0], n, 8, "values") || check_len(&b[1], n, 8, "out")) {
        release(b, 2);
        return NULL;
    }
    if (half < 0)
        half = 0;
    if (half > n)
        half = n;
    const double *v = b[0].buf;
    double *out = b[1].buf;
    /* the window, then each sample's window minimum and maximum, and the passes' scratch */
    double *window = PyMem_Malloc((size_t)(2 * half + 1 + 2 * n + 2 * (n + 2 * half))
                                  * sizeof(double));
    if (window == NULL) {
        release(b, 2);
        return PyErr_NoMemory();
    }
    double *low = window + 2 * half + 1, *high = low + n, *g = high + n, *h = g + n + 2 * half;
    memmove(out, v, (size_t)n * sizeof(double));
    if (n >= 3 && half >= 1) {
        window_extreme(v, n, half, 0, low, g, h);
        window_extreme(v, n, half, 1, high, g, h);
        for (Py_ssize_t i = 0; i < n; i++) {
            if (isnan(v[i]))
                continue;
            /* within the threshold of the window's extremes: within it of the median too */
            if (v[i] - low[i] <= threshold && high[i] - v[i] <= threshold)
                continue;
            Py_ssize_t lo = i - half < 0 ? 0 : i - half, hi = i + half >= n ? n - 1 : i + half;
            Py_ssize_t count = 0;
            for (Py_ssize_t j = lo; j <= hi; j++)
                if (!isnan(v[j]))
                    window[count++] = v[j];
            double median = median_of(window, count);
            if (fabs(v[i] - median) > threshold) {
                out[i] = NAN;
                dropped++;
            }
        }
    }
    PyMem_Free(window);
    release(b, 2);
    return PyLong_FromSsize_t(dropped);
}

/* ---- heading_lateral(x, y, speed, step_m, heading, lateral) ------------------------------- */

static PyObject *py_heading_lateral(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[5];
    double step;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*y*y*dw*w*", &b[0], &b[1], &b[2], &step, &b[3], &b[4]))
        return NULL;
    Py_ssize_t n = b[0].len / 8;
    if (check_len(&b[1], n, 8, "y") || check_len(&b[2], n, 8, "speed")
        || check_len(&b[3], n, 8, "heading") || check_len(&b[4], n, 8, "lateral")) {
        release(b, 5);
        return NULL;
    }
    const double *x = b[0].buf, *y = b[1].buf, *speed = b[2].buf;
    double *heading = b[3].buf, *lateral = b[4].buf;
    int any = 0;
    for (Py_ssize_t i = 0; i < n && !any; i++)
        any = isfinite(x[i]);
    if (n < 3 || !any) {
        for (Py_ssize_t i = 0; i < n; i++) {
            heading[i] = NAN;
            lateral[i] = 0.0;
        }
        release(b, 5);
        Py_RETURN_NONE;
    }
    double *work = PyMem_Malloc((size_t)(4 * n) * sizeof(double));
    if (work == NULL) {
        release(b, 5);
        return PyErr_NoMemory();
    }
    double *dx = work, *dy = work + n, *theta = work + 2 * n, *curvature = work + 3 * n;
    fill_nans(x, theta, n);
    gradient(theta, dx, n, 1.0);
    fill_nans(y, theta, n);
    gradient(theta, dy, n, 1.0);
    for (Py_ssize_t i = 0; i < n; i++)       /* compass: 0 = north, +π/2 = east; NaN where still */
        theta[i] = dx[i] * dx[i] + dy[i] * dy[i] < 1e-12 ? NAN : atan2(dx[i], dy[i]);
    fill_nans(theta, theta, n);
    unwrap(theta, n);
    gradient(theta, curvature, n, step);
    for (Py_ssize_t i = 0; i < n; i++) {
        curvature[i] = fabs(curvature[i]);
        heading[i] = isfinite(x[i]) ? theta[i] * (180.0 / M_PI) : NAN;
    }
    if (smooth(curvature, curvature, n, 1.0) != 0) {
        PyMem_Free(work);
        release(b, 5);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double v = nan_to_num(speed[i]);
        lateral[i] = nan_to_num(v * v * curvature[i]);
    }
    PyMem_Free(work);
    release(b, 5);
    Py_RETURN_NONE;
}

/* ---- turn_candidates(heading, speed, lateral, distance, window, min_angle_deg, out...) ---- */

/* Runs of samples whose heading change over `window` samples reaches min_angle_deg in one
 * direction, with what find_turns needs of each: see turns.py (_candidates). */
static PyObject *py_turn_candidates(PyObject *self, PyObject *args)
{
    (void)self;
    enum { N_BUF = 13 };
    Py_buffer b[N_BUF];
    Py_ssize_t w;
    double min_angle;
    memset(b, 0, sizeof b);
    /* read: 0 heading 1 speed 2 lateral 3 distance; written: 4 start 5 end 6 peak 7 angle
     * 8 median_speed 9 total 10 arc 11 peak_lateral 12 speed scratch */
    if (!PyArg_ParseTuple(args, "y*y*y*y*ndw*w*w*w*w*w*w*w*w*", &b[0], &b[1], &b[2], &b[3],
                          &w, &min_angle, &b[4], &b[5], &b[6], &b[7], &b[8], &b[9], &b[10],
                          &b[11], &b[12]))
        return NULL;
    Py_ssize_t n = b[0].len / 8;
    static const char *names[N_BUF] = {"heading", "speed", "lateral", "distance", "start", "end",
                                       "peak", "angle", "median_speed", "total", "arc",
                                       "peak_lateral", "scratch"};
    for (int i = 1; i < N_BUF; i++) {
        if (check_len(&b[i], n, 8, names[i])) {
            release(b, N_BUF);
            return NULL;
        }
    }
    if (w < 1) {
        release(b, N_BUF);
        PyErr_SetString(PyExc_ValueError, "window must be at least one sample");
        return NULL;
    }
    const double *heading = b[0].buf, *speed = b[1].buf, *lat = b[2].buf, *dist = b[3].buf;
    int64_t *start = b[4].buf, *end = b[5].buf, *peak = b[6].buf;
    double *angle = b[7].buf, *median = b[8].buf, *total = b[9].buf, *arc = b[10].buf;
    double *peak_lat = b[11].buf, *scratch = b[12].buf;
    Py_ssize_t found = 0;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t m = n - w;         /* heading changes: change[i] = heading[i + w] − heading[i] */
    Py_ssize_t i = 0;
    while (i < m) {
        double c = nan_to_num(heading[i + w] - heading[i]);
        int sign = fabs(c) >= min_angle ? (c > 0) - (c < 0) : 0;
        if (sign == 0) {
            i++;
            continue;
        }
        Py_ssize_t a = i, bb = i + 1;     /* the run a..bb-1 of this sign, and its peak change */
        double biggest = fabs(c);
        Py_ssize_t top = a;
        while (bb < m) {
            double cb = nan_to_num(heading[bb + w] - heading[bb]);
            int sb = fabs(cb) >= min_angle ? (cb > 0) - (cb < 0) : 0;
            if (sb != sign)
                break;
            if (fabs(cb) > biggest) {
                biggest = fabs(cb);
                top = bb;
            }
            bb++;
        }
        i = bb;
        Py_ssize_t e = bb - 1 + w < n - 1 ? bb - 1 + w : n - 1;
        double turned = heading[e] - heading[a];
        if (fabs(turned) < min_angle)                     /* a NaN angle stays */
            continue;
        /* median of the non-NaN speeds over a..e */
        Py_ssize_t count = 0;
        double top_lateral = -INFINITY;
        for (Py_ssize_t j = a; j <= e; j++) {
            if (!isnan(speed[j]))
                scratch[count++] = speed[j];
            if (isnan(lat[j]) || isnan(top_lateral))
                top_lateral = NAN;
            else if (lat[j] > top_lateral)
                top_lateral = lat[j];
        }
        double med = median_of(scratch, count);
        /* the radius parts over the samples with a finite heading */
        Py_ssize_t first = -1, last = -1, finite = 0;
        for (Py_ssize_t j = a; j <= e; j++) {
            if (isfinite(heading[j])) {
                if (first < 0)
                    first = j;
                last = j;
                finite++;
            }
        }
        double tot = NAN, length = NAN;
        if (first >= 0) {
            double h0 = heading[first];
            tot = heading[last] - h0;
            Py_ssize_t lo = -1, hi = -1;
            for (Py_ssize_t j = first; j <= last && hi < 0; j++) {
                if (!isfinite(heading[j]))
                    continue;
                double progress = (heading[j] - h0) / tot;
                if (lo < 0 && progress >= 0.1)
                    lo = j;
                if (progress >= 0.9)
                    hi = j;
            }
            if (lo < 0)
                lo = first;
            if (hi < 0)
                hi = first;
            length = hi <= lo ? NAN : dist[hi] - dist[lo];
            if (finite < 2 || tot == 0.0)
                tot = NAN;
        }
        start[found] = a;
        end[found] = e;
        peak[found] = top;
        angle[found] = turned;
        median[found] = med;
        total[found] = tot;
        arc[found] = length;
        peak_lat[found] = top_lateral;
        found++;
    }
    Py_END_ALLOW_THREADS
    release(b, N_BUF);
    return PyLong_FromSsize_t(found);
}

/* ---- climb_descent(elevation, threshold, sigma, climb, descent) -> turning points --------- */

/* Hysteresis turning points of `values` (finite samples only) into `points`; returns the count,
 * at most n + 1 (the last may repeat the one before when the band is negative). `keep` is
 * scratch of n entries. See smoothing.py (turning_point_indices). */
static Py_ssize_t turning_points(const double *values, Py_ssize_t n, double threshold,
                                 int64_t *keep, int64_t *points)
{
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (isfinite(values[i]) && !(threshold >= 0 && k > 0 && values[i] == values[keep[k - 1]]))
            keep[k++] = i;
    if (k == 0)
        return 0;
    /* drop the samples strictly inside a rising or falling stretch (they move nothing) */
    if (k > 2) {
        Py_ssize_t kept = 1;
        double before = values[keep[0]];
        for (Py_ssize_t i = 1; i < k - 1; i++) {
            double mid = values[keep[i]], after = values[keep[i + 1]];
            int through = (before < mid && mid < after) || (before > mid && mid > after);
            before = mid;
            if (!through)
                keep[kept++] = keep[i];
        }
        keep[kept++] = keep[k - 1];
        k = kept;
    }
    Py_ssize_t count = 1, ext = 0;
    int direction = 0;
    points[0] = 0;
    for (Py_ssize_t i = 1; i < k; i++) {
        double v = values[keep[i]], e = values[keep[ext]], last = values[keep[points[count - 1]]];
        if (direction >= 0 && v > e) {
            ext = i;
            if (v - last > threshold)
                direction = 1;
        } else if (direction <= 0 && v < e) {
            ext = i;
            if (last - v > threshold)
                direction = -1;
        } else if (direction == 1 && e - v > threshold) {
            points[count++] = ext;
            ext = i;
            direction = -1;
        } else if (direction == -1 && v - e > threshold) {
            points[count++] = ext;
            ext = i;
            direction = 1;
        }
    }
    if (fabs(values[keep[ext]] - values[keep[points[count - 1]]]) > threshold)
        points[count++] = ext;
    for (Py_ssize_t i = 0; i < count; i++)
        points[i] = keep[points[i]];
    return count;
}

static PyObject *py_turning_points(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[3];
    double threshold;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*dw*w*", &b[0], &threshold, &b[1], &b[2]))
        return NULL;
    Py_ssize_t n = b[0].len / 8, count = -1;
    if (check_len(&b[1], n, 8, "scratch") == 0 && check_len(&b[2], n + 1, 8, "points") == 0)
        count = turning_points(b[0].buf, n, threshold, b[1].buf, b[2].buf);
    release(b, 3);
    return count < 0 ? NULL : PyLong_FromSsize_t(count);
}

/* Climb and descent credited to each sample: each rise between two turning points of the
 * smoothed series is spread where its running maximum grows, each fall where its running
 * minimum drops. `smoothed` is the series smoothed and filled (smoothing.py does both). */
static PyObject *py_climb_descent(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[5];
    double threshold;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*dw*w*w*", &b[0], &threshold, &b[1], &b[2], &b[3]))
        return NULL;
    Py_ssize_t n = b[0].len / 8;
    if (check_len(&b[1], n, 8, "climb") || check_len(&b[2], n, 8, "descent")
        || check_len(&b[3], 2 * n + 1, 8, "scratch")) {
        release(b, 4);
        return NULL;
    }
    const double *s = b[0].buf;
    double *climb = b[1].buf, *descent = b[2].buf;
    int64_t *keep = b[3].buf, *points = keep + n;
    memset(climb, 0, (size_t)n * sizeof(double));
    memset(descent, 0, (size_t)n * sizeof(double));
    Py_ssize_t count = turning_points(s, n, threshold, keep, points);
    for (Py_ssize_t p = 0; p + 1 < count; p++) {
        Py_ssize_t a = (Py_ssize_t)points[p], z = (Py_ssize_t)points[p + 1];
        double goal = s[z];
        if (goal > s[a]) {
            double top = fmin(s[a], goal);
            for (Py_ssize_t i = a + 1; i <= z; i++) {
                double next = fmax(top, fmin(s[i], goal));
                climb[i] = next - top;
                top = next;
            }
        } else if (goal < s[a]) {
            double bottom = fmax(s[a], goal);
            for (Py_ssize_t i = a + 1; i <= z; i++) {
                double next = fmin(bottom, fmax(s[i], goal));
                descent[i] = -(next - bottom);
                bottom = next;
            }
        }
    }
    release(b, 4);
    Py_RETURN_NONE;
}

/* ---- resample(s, values, first, grid, step_m, out, scratch) ------------------------------- */

/* np.interp of the finite values[first[k]] at distances s[k] onto the grid, NaN further than
 * step_m outside the span that has data; NaN everywhere with fewer than two (course.py, on_grid) */
static PyObject *py_resample(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b[6];
    double step;
    memset(b, 0, sizeof b);
    if (!PyArg_ParseTuple(args, "y*y*y*y*dw*w*", &b[0], &b[1], &b[2], &b[3], &step, &b[4],
                          &b[5]))
        return NULL;
    Py_ssize_t m = b[0].len / 8, n_values = b[1].len / 8, n = b[3].len / 8;
    if (check_len(&b[0], m, 8, "distances") || check_len(&b[1], n_values, 8, "values")
        || check_len(&b[2], m, 8, "first") || check_len(&b[3], n, 8, "grid")
        || check_len(&b[4], n, 8, "out") || check_len(&b[5], 2 * m, 8, "scratch")) {
        release(b, 6);
        return NULL;
    }
    const double *s = b[0].buf, *values = b[1].buf, *grid = b[3].buf;
    const int64_t *first = b[2].buf;
    double *out = b[4].buf, *xp = b[5].buf, *fp = xp + m;
    for (Py_ssize_t k = 0; k < m; k++) {
        if (first[k] < 0 || first[k] >= n_values) {
            release(b, 6);
            PyErr_SetString(PyExc_ValueError, "resample: first holds an index beyond values");
            return NULL;
        }
    }
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t len = 0;
    for (Py_ssize_t k = 0; k < m; k++) {
        double v = values[first[k]];
        if (isfinite(v)) {
            xp[len] = s[k];
            fp[len] = v;
            len++;
        }
    }
    if (len < 2) {
        for (Py_ssize_t i = 0; i < n; i++)
            out[i] = NAN;
    } else {
        double lo = xp[0] - step, hi = xp[len - 1] + step;
        Py_ssize_t j = 0;                    /* xp[j] <= x < xp[j + 1] for ascending grids */
        for (Py_ssize_t i = 0; i < n; i++) {
            double x = grid[i], value;
            if (isnan(x)) {
                out[i] = x;
                continue;
            }
            if (x < xp[0]) {
                value = fp[0];
            } else if (x >= xp[len - 1]) {
                value = fp[len - 1];
            } else {
                if (x < xp[j])                /* the grid went back: search from the start */
                    j = 0;
                while (j + 1 < len && xp[j + 1] <= x)
                    j++;
                if (xp[j] == x) {
                    value = fp[j];
                } else {
                    double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
                    value = slope * (x - xp[j]) + fp[j];
                    if (isnan(value)) {
                        value = slope * (x - xp[j + 1]) + fp[j + 1];
                        if (isnan(value) && fp[j] == fp[j + 1])
                            value = fp[j];
                    }
                }
            }
            out[i] = (x < lo || x > hi) ? NAN : value;
        }
    }
    Py_END_ALLOW_THREADS
    release(b, 6);
    Py_RETURN_NONE;
}

/* ---- the module --------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"smooth", py_smooth, METH_VARARGS, "Normalised Gaussian smoothing ignoring NaN."},
    {"despike", py_despike, METH_VARARGS, "Set spikes to NaN; returns how many."},
    {"heading_lateral", py_heading_lateral, METH_VARARGS, "Unwrapped heading and v²κ."},
    {"turn_candidates", py_turn_candidates, METH_VARARGS, "Turn candidates and their facts."},
    {"turning_points", py_turning_points, METH_VARARGS, "Hysteresis turning points."},
    {"resample", py_resample, METH_VARARGS, "np.interp of the finite values onto a grid."},
    {"climb_descent", py_climb_descent, METH_VARARGS, "Climb and descent per sample."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_kernels",
    "The course maths' compiled loops (see hipstride.track.smoothing, course, turns).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
