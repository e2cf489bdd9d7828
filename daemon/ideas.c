/* SPDX-License-Identifier: MIT */

/*
 * ideas.c: the starter ideas (see ideas.h). Written as what one partner asks
 * of the other, the way a line of a love list reads. Append only: the index
 * of an entry plus one is its public number.
 */

#include "ideas.h"
#include "macro.h"

#define A CATEGORY_AFFECTION
#define L CATEGORY_LOVE
#define S CATEGORY_LUST
#define F CATEGORY_FUN

static const Idea ideas[] = {
        /* affection, gentle */
        { "Kiss me good morning before either of us gets out of bed", A, 1 },
        { "A real kiss goodbye every time one of us leaves the house", A, 1 },
        { "Hold my hand when we walk anywhere together", A, 1 },
        { "A long hug in the kitchen for no reason at all", A, 1 },
        { "Sit close enough on the sofa that our legs touch", A, 1 },
        { "Play with my hair while we watch something", A, 1 },
        { "Bring me a cup of tea or coffee made just the way I like it", A, 1 },
        { "Tell me you missed me when I come home", A, 1 },
        { "Put a hand on my back or shoulder when you walk past me", A, 1 },
        { "Hide a short note in my bag or coat pocket", A, 1 },
        { "Let me warm my cold feet on you under the blanket", A, 1 },
        { "Hug me from behind while I am cooking or washing up", A, 1 },
        { "Kiss me goodnight, even when one of us stays up later", A, 1 },

        /* affection, intimate */
        { "A slow shoulder and neck rub at the end of a long day", A, 2 },
        { "Fall asleep holding each other, even just for a few minutes", A, 2 },
        { "Kiss my forehead, my eyelids and my cheeks, slowly", A, 2 },
        { "Brush my hair and take your time about it", A, 2 },
        { "A foot rub with warm oil while we talk about the day", A, 2 },
        { "Stay in bed ten minutes after the alarm, just holding me", A, 2 },
        { "Trace slow circles on my back with your fingertips until I relax", A, 2 },
        { "Hold my face in your hands and look at me without saying anything", A, 2 },

        /* love, gentle */
        { "Take the kids out for an hour so I can have a peaceful bath", L, 1 },
        { "Cook my favorite meal, just for me", L, 1 },
        { "Tell me one specific thing you admired about me today", L, 1 },
        { "Ask about my day and put your phone away while I answer", L, 1 },
        { "Do one of my chores without being asked and without mentioning it", L, 1 },
        { "Send me a message in the middle of the day to say you are thinking of me", L, 1 },
        { "Plan an evening out and surprise me with it", L, 1 },
        { "Write me a letter by hand, even a short one", L, 1 },
        { "Thank me for something I do every day that nobody notices", L, 1 },
        { "Speak well of me in front of your family and friends", L, 1 },
        { "Let me sleep in on a weekend and keep the house quiet", L, 1 },

        /* love, intimate */
        { "Tell me what you first noticed about me, in detail", L, 2 },
        { "Run me a bath with candles and keep me company while I soak", L, 2 },
        { "Slow dance with me in the living room to our song", L, 2 },
        { "Look me in the eyes and tell me why you chose me", L, 2 },
        { "Remember something I said weeks ago and act on it", L, 2 },
        { "Put fresh sheets on the bed and warm it up before I get in", L, 2 },
        { "Tell me about a moment with me you still think about", L, 2 },

        /* love, explicit */
        { "Tell me what you love about me while we make love", L, 3 },
        { "Make love to me slowly with the lights on, looking at me", L, 3 },

        /* lust, gentle */
        { "Kiss me like you mean it in the middle of an ordinary day", S, 1 },
        { "Tell me I look good, and say exactly what you like", S, 1 },
        { "Flirt with me in public as if we had just met", S, 1 },
        { "Wear something you know I find attractive, and let me notice", S, 1 },
        { "Give me a look across the room that says you want me", S, 1 },

        /* lust, intimate */
        { "A long kiss against the wall the moment I get home", S, 2 },
        { "Send me a message during the day about what you want to do later", S, 2 },
        { "Kiss my neck slowly, from behind", S, 2 },
        { "Undress me slowly, one piece at a time", S, 2 },
        { "Shower together and wash each other", S, 2 },
        { "Whisper what you are thinking about in my ear while we are out", S, 2 },
        { "Make out on the sofa like teenagers and take our time", S, 2 },
        { "Come to bed without anything on", S, 2 },
        { "A full body massage that ends wherever we like", S, 2 },

        /* lust, explicit */
        { "Wake me up with slow kisses that keep moving lower", S, 3 },
        { "Tell me in detail what you want tonight, then do it", S, 3 },
        { "A quickie somewhere other than the bed", S, 3 },
        { "Make love in the morning before the day starts", S, 3 },
        { "Let me watch you pleasure yourself", S, 3 },
        { "Use your mouth on me and take all the time in the world", S, 3 },
        { "Blindfold me and decide everything yourself", S, 3 },
        { "Take the lead tonight and tell me exactly what to do", S, 3 },
        { "Phone sex when one of us is away, and make up for it when we are back", S, 3 },
        { "Try the position we have been talking about", S, 3 },
        { "Tease me for a long time before you let me have you", S, 3 },

        /* fun, gentle */
        { "A pillow fight where you let me win", F, 1 },
        { "Cook something new together with music on", F, 1 },
        { "A picnic in the park, or on the living room floor when it rains", F, 1 },
        { "A board game where the winner picks tomorrow's dinner", F, 1 },
        { "Go for a walk somewhere we have never been", F, 1 },
        { "Watch a film from my childhood with me without teasing me about it", F, 1 },
        { "Build a blanket fort and eat dinner inside it", F, 1 },
        { "Dance badly in the kitchen together", F, 1 },
        { "Sing along in the car at full volume with me", F, 1 },
        { "Take a silly photo of us and put it on the fridge", F, 1 },

        /* fun, intimate */
        { "Truth or dare, just the two of us", F, 2 },
        { "A bubble bath together with something nice to drink", F, 2 },
        { "Go skinny dipping somewhere safe and private", F, 2 },
        { "A card game where the loser takes off one piece of clothing", F, 2 },
        { "A night in a hotel in our own town", F, 2 },
        { "Give each other massages and take turns choosing where", F, 2 },

        /* fun, explicit */
        { "Pretend to be strangers meeting at a bar and go home together", F, 3 },
        { "Each write three fantasies on slips of paper and draw one on date night", F, 3 },
        { "Bring one new idea for the bedroom to date night and try both", F, 3 },
};

size_t ideas_count(void) {
        return ELEMENTSOF(ideas);
}

const Idea *idea_get(size_t number) {
        if (number < 1 || number > ELEMENTSOF(ideas))
                return NULL;
        return &ideas[number - 1];
}
