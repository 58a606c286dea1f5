#!/usr/bin/env python3
"""Shadow price of the one binding limit in the DC OPF of case9_congested.m
(case9 with branch 8, bus 8 -> bus 9, RATE_A lowered from 250 to 60 MW).

With quadratic costs a_g P^2 + b_g P, no generator at a limit and branch 8
binding at +60 MW, the optimality conditions are linear:
    2 a_g P_g + b_g = lam - mu * H[8, bus_g]     (marginal cost = LMP)
    sum_g P_g = total load
    sum_i H[8, i] * (P_i - Pd_i) = 60
with H the PTDF (slack bus 1) from `grid-ptdf --wide case9_congested.m`
on stdin. Prints lam (the LMP at bus 1), mu, the dispatch and the checks.
"""
import csv
import sys

rows = list(csv.reader(sys.stdin))
buses = [int(x) for x in rows[0][3:]]
h = {int(r[0]): [float(x) for x in r[3:]] for r in rows[1:]}[8]
hb = dict(zip(buses, h))
pd = {5: 90.0, 7: 100.0, 9: 125.0}
gens = [(1, 0.11, 5.0), (2, 0.085, 1.2), (3, 0.1225, 1.0)]  # bus, c2, c1
limit = 60.0

# unknowns P1 P2 P3 lam mu
A, y = [], []
for k, (b, a2, b1) in enumerate(gens):
    row = [0.0] * 5
    row[k], row[3], row[4] = 2 * a2, -1.0, hb[b]
    A.append(row)
    y.append(-b1)
A.append([1.0, 1.0, 1.0, 0.0, 0.0])
y.append(sum(pd.values()))
A.append([hb[b] for b, _, _ in gens] + [0.0, 0.0])
y.append(limit + sum(hb[i] * v for i, v in pd.items()))

n = 5  # Gaussian elimination with partial pivoting
for c in range(n):
    p = max(range(c, n), key=lambda r: abs(A[r][c]))
    A[c], A[p], y[c], y[p] = A[p], A[c], y[p], y[c]
    for r in range(n):
        if r != c:
            f = A[r][c] / A[c][c]
            A[r] = [x - f * z for x, z in zip(A[r], A[c])]
            y[r] -= f * y[c]
x = [y[i] / A[i][i] for i in range(n)]
P, lam, mu = x[:3], x[3], x[4]
print("lam %.10g mu %.10g dispatch %s" % (lam, mu, " ".join("%.6f" % p for p in P)))
for (b, a2, b1), p in zip(gens, P):
    print("bus %d marginal cost %.10g LMP %.10g" % (b, 2 * a2 * p + b1, lam - mu * hb[b]))
