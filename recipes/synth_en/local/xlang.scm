;; English read by a festival diphone voice of another language ("xlang"
;; speakers of recipes/synth_en): new human voices for training, with an accent.
;;
;;   festival --batch local/xlang.scm \
;;     '(xlang_synth "TEXT" "VOICE" STRETCH F0_MEAN "OUT.wav")'
;;
;; The English voice kal_diphone's front end (lexicon, letter-to-sound,
;; durations, intonation; stretched by STRETCH and centred on F0_MEAN Hz)
;; gives segments with durations and F0 targets. Each English phone is mapped
;; to the nearest phone(s) of VOICE's language (xlang_phone_maps), and VOICE
;; renders that segment list. Debian ships no other English speakers; these
;; voices add speakers (vocal tracts, voice qualities) that the English ones
;; do not have, which is what the unseen test voices need.

;; English (radio phone set) -> phones of each target language. A diphthong
;; becomes two vowels, the first one carrying the stress; an empty list drops
;; the phone and gives its duration to the next one.
(set! xlang_phone_maps
  '((italian
     (pau #) (aa a) (ae E) (ah a) (ao O) (aw a u) (ax e) (axr e r) (ay a i)
     (eh E) (er E r) (ey e i) (ih i) (iy i) (ow o u) (oy O i) (uh u) (uw u)
     (b b) (ch tS) (d d) (dh d) (f f) (g g) (hh) (jh dZ) (k k) (l l) (m m)
     (n n) (ng n) (p p) (r r) (s s) (sh S) (t t) (th t) (v v) (w w) (y j)
     (z z) (zh Z))
    (finnish
     (pau #) (aa a:) (ae e) (ah a) (ao o:) (aw a u) (ax e) (axr e r) (ay a i)
     (eh e) (er e r) (ey e i) (ih i) (iy i:) (ow o u) (oy o i) (uh u) (uw u:)
     (b b) (ch t s) (d d) (dh d) (f f) (g g) (hh h) (jh t s) (k k) (l l) (m m)
     (n n) (ng N) (p p) (r r) (s s) (sh S) (t t) (th t) (v v) (w v) (y j)
     (z s) (zh S))
    (czech
     (pau #) (aa a:) (ae e) (ah a) (ao o:) (aw a u) (ax e) (axr e r) (ay a j)
     (eh e) (er e r) (ey e j) (ih i) (iy i:) (ow o u) (oy o j) (uh u) (uw u:)
     (b b) (ch c~) (d d) (dh d) (f f) (g g) (hh h) (jh dz~) (k k) (l l) (m m)
     (n n) (ng n) (p p) (r r) (s s) (sh s~) (t t) (th t) (v v) (w v) (y j)
     (z z) (zh z~))))

;; The language of each voice this file can use.
(set! xlang_voice_language
  '((pc_diphone italian) (lp_diphone italian)
    (hy_fi_mv_diphone finnish) (suo_fi_lj_diphone finnish)
    (czech_dita czech) (czech_machac czech)))

;; Stressed vowels of the languages whose phone sets have them.
(set! xlang_stressed '((italian (a a1) (e e1) (E E1) (i i1) (o o1) (O O1) (u u1))))

(define (xlang_english_segments text stretch f0_mean)
  "The English front end up to F0 targets (no waveform)."
  (voice_kal_diphone)
  (Parameter.set 'Duration_Stretch stretch)
  (set! int_lr_params (cons (list 'target_f0_mean f0_mean) int_lr_params))
  (let ((u (eval (list 'Utterance 'Text text))))
    (Initialize u) (Text u) (Token_POS u) (Token u) (POS u) (Phrasify u) (Word u)
    (Pauses u) (Intonation u) (PostLex u) (Duration u) (Int_Targets u)
    u))

(define (xlang_targets seg from to)
  "F0 targets of SEG in [FROM, TO), as (offset-from-FROM f0) pairs."
  (let ((out nil))
    (mapcar
     (lambda (tg)
       (let ((pos (item.feat tg "pos")))
         (if (and (>= pos from) (< pos to))
             (set! out (cons (list (- pos from) (item.feat tg "f0")) out)))))
     (item.relation.daughters seg 'Target))
    (reverse out)))

(define (xlang_segments utt language)
  "UTT's segments in LANGUAGE's phones: ((phone duration (offset f0)...)...)."
  (let ((phone_map (cdr (assoc language xlang_phone_maps)))
        (stressed (cdr (assoc language xlang_stressed)))
        (carry 0) (out nil))
    (mapcar
     (lambda (seg)
       ;; (SIOD has no let*.)
       (let ((mapped (cdr (assoc (intern (item.name seg)) phone_map)))
             (start (- (item.feat seg "segment_start") carry))
             (dur (+ (item.feat seg "segment_duration") carry))
             (stress (string-equal (item.feat seg "R:SylStructure.parent.stress") "1"))
             (parts nil))
         (set! parts (if (cdr mapped) (list (* 0.6 dur) (* 0.4 dur)) (list dur)))
         (if (null mapped)
             (set! carry dur)
             (begin
               (set! carry 0)
               (mapcar
                (lambda (phone part)
                  (let ((s (and stress (assoc phone stressed))))
                    (set! out (cons (append (list (if s (cadr s) phone) part)
                                            (xlang_targets seg start (+ start part)))
                                    out))
                    (set! stress nil)
                    (set! start (+ start part))))
                mapped parts)))))
     (utt.relation.items utt 'Segment))
    (reverse out)))

(define (xlang_synth text voice stretch f0_mean out)
  (let ((language (cadr (assoc (intern voice) xlang_voice_language))))
    (if (not language) (error "xlang: no phone map for voice" voice))
    (set! segments (xlang_segments (xlang_english_segments text stretch f0_mean) language))
    (eval (list (intern (string-append "voice_" voice))))
    (utt.save.wave (utt.synth (eval (list 'Utterance 'Segments segments))) out 'riff)))
