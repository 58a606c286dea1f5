1; % ptdf_anchor.m: the dense DC PTDF the way MATPOWER's makePTDF computes
%  it (sparse B, one sparse solve with every branch as right-hand side, a
%  dense nl x nb result), written from the formulas of shared/api/lmp.md
%  as the anchor of bench/grid-ptdf.sh. Not MATPOWER's code.
%
%  octave-cli --norc -q ptdf_anchor.m CASE_FILE [NROWS]
%  prints: buses branches seconds(compute) checksum
args = argv();
[dir, name] = fileparts(args{1});
addpath(dir);
mpc = feval(name);
tic;
bus = mpc.bus; br = mpc.branch;
bus = bus(bus(:, 2) ~= 4, :);
nb = rows(bus);
map = sparse(bus(:, 1), 1, 1:nb);
br = br(br(:, 11) ~= 0, :);
f = full(map(br(:, 1))); t = full(map(br(:, 2)));
keep = f > 0 & t > 0;
br = br(keep, :); f = f(keep); t = t(keep);
nl = rows(br);
tap = br(:, 9); tap(tap == 0) = 1;
b = 1 ./ (br(:, 4) .* tap);
Cft = sparse([1:nl 1:nl]', [f; t], [ones(nl, 1); -ones(nl, 1)], nl, nb);
Bf = sparse(1:nl, 1:nl, b, nl, nl) * Cft;
Bbus = Cft' * Bf;
ref = find(bus(:, 2) == 3, 1);
noref = [1:ref-1 ref+1:nb];
H = zeros(nl, nb);
H(:, noref) = full(Bf(:, noref) / Bbus(noref, noref));
if numel(args) > 1
  H = H(1:str2double(args{2}), :);   % what a makePTDF user does for a few rows
end
secs = toc;
printf('%d %d %.3f %.10g\n', nb, nl, secs, sum(abs(H(:))));
